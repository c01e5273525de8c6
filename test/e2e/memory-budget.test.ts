import ImageKit from '@imagekit/nodejs';
import sharp from 'sharp';
import { deliveryCounters } from '../../shared/delivery/metrics';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';
import { getBytes, ikErrorCode } from '../helpers/http';

describe('memory budget: each transformation is admitted by its estimated cost', () => {
  let app: TestApp;
  let big: Buffer;

  const get = (path: string, headers: Record<string, string> = {}) => getBytes(`${app.url}${path}`, headers);
  const code = ikErrorCode;

  beforeAll(async () => {
    // 48 MB: a 4000x4000 image resized while it decodes reserves about 33 MB, so one fits and two do not; decoding it
    // whole (64 MB of pixels) does not fit at all. Slots are plenty, so memory is what decides.
    app = await startTestApp({ MEMORY_BUDGET_MB: '48', MAX_CONCURRENT_TRANSFORMS: '4', QUEUE_TIMEOUT_MS: '500', DECODED_CACHE_MB: '0' });
    const client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    await serveDemoFromDefaultEndpoint(app, client);
    big = await sharp({ create: { width: 4000, height: 4000, channels: 3, background: '#808040' } }).png().toBuffer();
    const photos = app.blobs.getContainerClient('photos');
    await photos.getBlockBlobClient('big.png').uploadData(big, { blobHTTPHeaders: { blobContentType: 'image/png' } });
    await photos.getBlockBlobClient('untyped.png').uploadData(big, { blobHTTPHeaders: { blobContentType: 'application/octet-stream' } });
  });
  afterAll(() => app.close());

  it('a job within the budget runs: resized while decoding, it is served', async () => {
    const response = await get('/tr:w-100/big.png');
    expect(response.status).toBe(200);
    expect(await sharp(response.body).metadata()).toMatchObject({ width: 100, height: 100 });
  });

  it('a job that alone needs more than the budget is 400 ELIMIT naming MEMORY_BUDGET_MB, from the header or as it grows', async () => {
    // Blur needs the whole decoded image.
    const whole = await get('/tr:bl-5/big.png');
    expect([whole.status, code(whole)]).toEqual([400, 'ELIMIT']);
    expect(whole.headers.get('ik-error')).toMatch(/MEMORY_BUDGET_MB \(48\)/);
    // Small at first; the padding in the second step is what does not fit.
    const grown = await get('/tr:w-100:w-4000,h-4000,cm-pad_resize/big.png');
    expect([grown.status, code(grown)]).toEqual([400, 'ELIMIT']);
    expect(grown.headers.get('ik-error')).toMatch(/MEMORY_BUDGET_MB/);
    const after = await get('/tr:w-120/big.png');
    expect(after.status).toBe(200);
  });

  it('a job that fits alone but not beside a running one waits, then gets 503 EBUSY with Retry-After; it is served once memory frees', async () => {
    // Another job of this instance holds 20 MB for as long as the test needs: 33 MB more does not fit in 48.
    const running = await app.parts().limiter.admitTransform(20 * 2 ** 20);
    try {
      const waiting = await get('/tr:w-101/big.png');
      expect([waiting.status, code(waiting), waiting.headers.get('retry-after'), waiting.headers.get('cache-control')]).toEqual([503, 'EBUSY', '1', 'no-store']);
      // It waited for memory (slots were free), not for a place in the queue.
      expect(waiting.headers.get('ik-error')).toMatch(/freed within 500 ms/);
    } finally {
      running.release();
    }
    const retried = await get('/tr:w-101/big.png');
    expect([retried.status, (await sharp(retried.body).metadata()).width]).toEqual([200, 101]);
  });

  it('an untransformed original is its bytes, never decoded, whatever the budget; a generic type is replaced by the sniffed one', async () => {
    const transforms = deliveryCounters.transforms;
    const decodes = deliveryCounters.decodes;
    const original = await get('/big.png', { accept: 'image/avif,image/webp,*/*' });
    expect([original.status, original.headers.get('content-type'), original.body.equals(big), original.headers.get('vary')]).toEqual([200, 'image/png', true, null]);
    const untyped = await get('/untyped.png');
    expect([untyped.status, untyped.headers.get('content-type'), untyped.body.equals(big)]).toEqual([200, 'image/png', true]);
    expect([deliveryCounters.transforms, deliveryCounters.decodes]).toEqual([transforms, decodes]);
  });
});
