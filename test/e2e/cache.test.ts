import ImageKit from '@imagekit/nodejs';
import sharp from 'sharp';
import { deliveryCounters } from '../../shared/delivery/metrics';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';

describe('rendition cache, conditional requests, coalescing and purge', () => {
  let app: TestApp;
  let client: ImageKit;

  async function get(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${app.url}${path}`, { headers });
    return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
  }

  /** Background cache writes land shortly after the response; wait until the blob is there. */
  async function storedRenditions(prefix: string, atLeast = 1): Promise<string[]> {
    const container = app.blobs.getContainerClient('renditions');
    for (let attempt = 0; attempt < 100; attempt++) {
      const names: string[] = [];
      if (await container.exists()) for await (const blob of container.listBlobsFlat({ prefix })) names.push(blob.name);
      if (names.length >= atLeast) return names;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return [];
  }

  beforeAll(async () => {
    // No memory cache: every hit below comes from the rendition container in Azurite.
    app = await startTestApp({ MEMORY_CACHE_MB: '0' });
    client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    await serveDemoFromDefaultEndpoint(app, client);
  });
  afterAll(() => app.close());

  it('a second request is a HIT with identical bytes and no origin read; the rendition is stored under its asset path', async () => {
    const path = '/tr:w-200,h-100/sample/landscape.jpg';
    const first = await get(path);
    expect(first.headers.get('x-rendition-cache')).toBe('MISS');
    expect(await storedRenditions('default/sample/landscape.jpg/')).toHaveLength(1);
    const fetchesBefore = deliveryCounters.originFetches;
    const second = await get(path);
    expect(second.headers.get('x-rendition-cache')).toBe('HIT');
    expect(second.body.equals(first.body)).toBe(true);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(second.headers.get('content-length')).toBe(String(first.body.length));
    expect(deliveryCounters.originFetches).toBe(fetchesBefore);
    expect(second.headers.get('server-timing')).toMatch(/cache;dur=/);
  });

  it('parameter order does not matter: the canonical transformation keys the cache', async () => {
    await get('/tr:w-120,h-80/sample/plant.jpg');
    await storedRenditions('default/sample/plant.jpg/');
    const swapped = await get('/sample/plant.jpg?tr=h-80,w-120,c-maintain_ratio');
    expect(swapped.headers.get('x-rendition-cache')).toBe('HIT');
  });

  it('negotiated formats are cached per Accept class and say Vary: Accept', async () => {
    const path = '/tr:w-90/sample/plant.jpg';
    const webp = await get(path, { accept: 'image/webp,*/*' });
    const jpeg = await get(path, { accept: 'image/jpeg' });
    expect([webp.headers.get('content-type'), jpeg.headers.get('content-type')]).toEqual(['image/webp', 'image/jpeg']);
    expect(jpeg.headers.get('x-rendition-cache')).toBe('MISS');
    await storedRenditions('default/sample/plant.jpg/', 3);
    const webpAgain = await get(path, { accept: 'image/webp' });
    expect([webpAgain.headers.get('x-rendition-cache'), webpAgain.headers.get('content-type'), webpAgain.headers.get('vary')]).toEqual(['HIT', 'image/webp', 'Accept']);
  });

  it('the formats, qualities and cache busters of one size decode the original twice: the second keeps the pixels (DECODED_CACHE_MB)', async () => {
    const path = '/tr:w-140/sample/landscape.jpg';
    const decodes = deliveryCounters.decodes;
    const variants = [
      await get(path, { accept: 'image/webp' }),
      await get(path, { accept: 'image/jpeg' }),
      await get(`${path}?v=2`, { accept: 'image/jpeg' }),
      await get('/tr:w-140,q-50,f-png/sample/landscape.jpg'),
    ];
    expect(variants.map((r) => r.headers.get('x-rendition-cache'))).toEqual(['MISS', 'MISS', 'MISS', 'MISS']);
    expect(await Promise.all(variants.map(async (r) => (await sharp(r.body).metadata()).format))).toEqual(['webp', 'jpeg', 'jpeg', 'png']);
    for (const variant of variants) expect((await sharp(variant.body).metadata()).width).toBe(140);
    // The first decodes into its encoder and keeps nothing; the second decodes and keeps the pixels for the rest.
    expect(deliveryCounters.decodes - decodes).toBe(2);
    // Server-Timing shows which request decoded.
    expect(variants.map((r) => /(^|, )decode;dur=/.test(r.headers.get('server-timing') ?? ''))).toEqual([true, true, false, false]);
    // Another first resize decodes again.
    expect((await sharp((await get('/tr:w-141/sample/landscape.jpg')).body).metadata()).width).toBe(141);
    expect(deliveryCounters.decodes - decodes).toBe(3);
  });

  it('answers 304 from the cache entry on If-None-Match and If-Modified-Since, without a transform', async () => {
    const path = '/tr:w-50/sample/plant.jpg';
    const first = await get(path);
    await storedRenditions('default/sample/plant.jpg/');
    const transforms = deliveryCounters.transforms;
    const byEtag = await get(path, { 'if-none-match': first.headers.get('etag')! });
    expect([byEtag.status, byEtag.body.length]).toEqual([304, 0]);
    const byDate = await get(path, { 'if-modified-since': new Date(Date.now() + 60_000).toUTCString() });
    expect(byDate.status).toBe(304);
    const stale = await get(path, { 'if-none-match': '"something-else"' });
    expect(stale.status).toBe(200);
    expect(deliveryCounters.transforms).toBe(transforms);
  });

  it('50 identical concurrent cold requests cause one origin fetch and one transform', async () => {
    const path = '/tr:w-333,h-222,c-force/sample/landscape.jpg';
    const transforms = deliveryCounters.transforms;
    const fetches = deliveryCounters.originFetches;
    const responses = await Promise.all(Array.from({ length: 50 }, () => get(path)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(new Set(responses.map((r) => r.headers.get('etag'))).size).toBe(1);
    expect(deliveryCounters.transforms - transforms).toBe(1);
    expect(responses.filter((r) => r.headers.get('x-rendition-cache') === 'MISS')).toHaveLength(1);
    expect(deliveryCounters.originFetches - fetches).toBe(1);
  });

  it('after a purge through the ImageKit client the next request is a MISS and shows the changed original', async () => {
    const path = '/tr:w-0.5/sample/logo.png';
    const before = await get(path);
    expect((await sharp(before.body).metadata()).width).toBe(256);
    await storedRenditions('default/sample/logo.png/');
    // Replace the original; the cache keeps serving the old rendition until it is purged.
    const replacement = await sharp({ create: { width: 300, height: 100, channels: 3, background: '#00ff00' } }).png().toBuffer();
    await app.blobs.getContainerClient('photos').getBlockBlobClient('sample/logo.png').uploadData(replacement);
    expect((await get(path)).headers.get('x-rendition-cache')).toBe('HIT');

    const { requestId } = await client.cache.invalidation.create({ url: `${app.url}${path}` });
    expect(requestId).toMatch(/^[0-9a-f]{24}$/);
    expect(await client.cache.invalidation.get(requestId!)).toEqual({ status: 'Completed' });
    expect(await storedRenditions('default/sample/logo.png/', 0)).toEqual([]);

    const after = await get(path);
    expect(after.headers.get('x-rendition-cache')).toBe('MISS');
    expect((await sharp(after.body).metadata()).width).toBe(150);
  });

  it('a wildcard purge removes every asset under the prefix; ImageKit refuses too broad wildcards', async () => {
    await get('/tr:w-10/sample/plant.jpg');
    await get('/tr:w-10/sample/landscape.jpg');
    await storedRenditions('default/sample/', 2);
    await client.cache.invalidation.create({ url: `${app.url}/sample/pla*` });
    const left = await storedRenditions('default/sample/', 1);
    expect(left.some((n) => n.startsWith('default/sample/plant.jpg/'))).toBe(false);
    expect(left.some((n) => n.startsWith('default/sample/landscape.jpg/'))).toBe(true);

    for (const url of [`${app.url}/sam*`, `${app.url}/sa*ple/plant.jpg`, 'not a url']) {
      await expect(client.cache.invalidation.create({ url })).rejects.toMatchObject({ status: 400 });
    }
    await expect(client.cache.invalidation.get('ffffffffffffffffffffffff')).rejects.toMatchObject({ status: 404 });
  });
});
