import ImageKit from '@imagekit/nodejs';
import { photoLike } from '../../dev/sample-images';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';

describe('bounded transforms: a burst of cold requests on large photos', () => {
  let app: TestApp;

  beforeAll(async () => {
    // Two at once, two waiting, briefly: a burst must overflow into deliberate 503s.
    app = await startTestApp({ MAX_CONCURRENT_TRANSFORMS: '2', MAX_QUEUED_TRANSFORMS: '2', QUEUE_TIMEOUT_MS: '1000' });
    const client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    await serveDemoFromDefaultEndpoint(app, client);
    const large = await (await photoLike(4000, 3000, 7)).jpeg({ quality: 90 }).toBuffer();
    await app.blobs.getContainerClient('photos').getBlockBlobClient('large/photo.jpg').uploadData(large);
    // Making a 12 MP photo-like image takes most of a minute on a busy 2-core machine.
  }, 180_000);
  afterAll(() => app.close());

  it('64 concurrent cold requests give 200 or 503 with Retry-After, never another 5xx, and the app keeps answering', async () => {
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 64 }, async (_, i) => {
        const response = await fetch(`${app.url}/tr:w-${400 + i},f-webp/large/photo.jpg`);
        await response.arrayBuffer();
        return response;
      }),
    );
    clearInterval(sampler);
    const statuses = responses.map((r) => r.status);
    const counts = { ok: statuses.filter((s) => s === 200).length, busy: statuses.filter((s) => s === 503).length };
    console.log(`burst: ${JSON.stringify(counts)} in ${Date.now() - started} ms, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB`);

    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(counts.ok).toBeGreaterThanOrEqual(2);
    expect(counts.busy).toBeGreaterThan(0);
    for (const busy of responses.filter((r) => r.status === 503)) {
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(busy.headers.get('cache-control')).toBe('no-store');
      expect(busy.headers.get('ik-error')).toMatch(/^EBUSY - /);
    }
    // Two 12 MP decodes at a time, plus the originals in flight, fit well inside this bound.
    expect(peakRss / 2 ** 20).toBeLessThan(1500);

    const after = await fetch(`${app.url}/tr:w-300/large/photo.jpg`);
    expect(after.status).toBe(200);
  });
});
