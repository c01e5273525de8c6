import ImageKit from '@imagekit/nodejs';
import http from 'node:http';
import sharp from 'sharp';
import { STREAM_HITS_ABOVE_BYTES } from '../../shared/cache/renditions';
import { deliveryCounters } from '../../shared/delivery/metrics';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';

/**
 * How delivery asks the rendition container: names it found absent skip the next lookup until a purge or a write;
 * a stored rendition larger than STREAM_HITS_ABOVE_BYTES is sent as storage delivers it, with the same bytes and
 * headers as the response that made it.
 */
describe('rendition lookups: names known absent, streamed hits', () => {
  let app: TestApp;
  let client: ImageKit;

  async function get(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${app.url}${path}`, { headers });
    return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
  }
  const looksUp = (response: { headers: Headers }) => /(^|, )cache;dur=/.test(response.headers.get('server-timing') ?? '');

  async function storedRenditions(prefix: string): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of app.blobs.getContainerClient('renditions').listBlobsFlat({ prefix })) names.push(blob.name);
    return names;
  }
  /** Background cache writes land shortly after the response; wait until the blob is there. */
  async function stored(prefix: string): Promise<void> {
    for (let attempt = 0; attempt < 100 && (await storedRenditions(prefix)).length === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  beforeAll(async () => {
    // No memory cache: every hit comes from the rendition container, every miss asks it first.
    app = await startTestApp({ MEMORY_CACHE_MB: '0' });
    client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    await serveDemoFromDefaultEndpoint(app, client);
  });
  afterAll(() => app.close());

  it('a stand-in (not stored) is looked up once; the asset, once it exists, is served and stored, not hidden by what was known', async () => {
    const path = '/tr:w-100,di-sample@@plant.jpg/later/arrives.jpg';
    const first = await get(path);
    const second = await get(path);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([looksUp(first), looksUp(second)]).toEqual([true, false]);
    expect(second.body.equals(first.body)).toBe(true);

    // The asset appears at the origin: the name known absent still leads to the origin, which now has it.
    const red = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#ff0000' } }).jpeg().toBuffer();
    await app.blobs.getContainerClient('photos').getBlockBlobClient('later/arrives.jpg').uploadData(red);
    const arrived = await get(path);
    expect(arrived.headers.get('x-rendition-cache')).toBe('MISS');
    expect(await sharp(arrived.body).metadata()).toMatchObject({ width: 100, height: 50 });
    await stored('default/later/arrives.jpg/');
    const hit = await get(path);
    expect([hit.headers.get('x-rendition-cache'), hit.body.equals(arrived.body)]).toEqual(['HIT', true]);
  });

  it('a purge forgets names known absent: the next request looks up again', async () => {
    const path = '/tr:w-90,di-sample@@plant.jpg/never/there.jpg';
    await get(path);
    expect(looksUp(await get(path))).toBe(false);
    await client.cache.invalidation.create({ url: `${app.url}/never/there.jpg` });
    expect(looksUp(await get(path))).toBe(true);
    expect(looksUp(await get(path))).toBe(false);
  });

  it('a miss on a name never seen fetches the original once, alongside the lookup', async () => {
    const fetches = deliveryCounters.originFetches;
    const response = await get('/tr:w-77/sample/plant.jpg');
    expect(response.headers.get('x-rendition-cache')).toBe('MISS');
    expect(looksUp(response)).toBe(true);
    expect(response.headers.get('server-timing')).toMatch(/(^|, )fetch;dur=/);
    expect(deliveryCounters.originFetches - fetches).toBe(1);
  });

  describe('a hit larger than STREAM_HITS_ABOVE_BYTES', () => {
    const path = '/tr:w-1600,f-png,lo-true/sample/landscape.jpg';
    let made: Awaited<ReturnType<typeof get>>;

    beforeAll(async () => {
      made = await get(path);
      expect(made.headers.get('x-rendition-cache')).toBe('MISS');
      expect(made.body.length).toBeGreaterThan(STREAM_HITS_ABOVE_BYTES);
      await stored('default/sample/landscape.jpg/');
    });

    it('has the bytes, ETag, type, length and dates of the response that made it', async () => {
      const fetches = deliveryCounters.originFetches;
      const hit = await get(path);
      expect(hit.headers.get('x-rendition-cache')).toBe('HIT');
      expect(hit.body.equals(made.body)).toBe(true);
      for (const header of ['etag', 'content-type', 'content-length', 'last-modified', 'cache-control']) {
        expect([header, hit.headers.get(header)]).toEqual([header, made.headers.get(header)]);
      }
      expect(await sharp(hit.body).metadata()).toMatchObject({ format: 'png', width: 1600, height: 1067 });
      expect(deliveryCounters.originFetches).toBe(fetches);
    });

    it('answers HEAD with the same headers and no body, and 304 to its ETag', async () => {
      const head = await fetch(`${app.url}${path}`, { method: 'HEAD' });
      expect([head.status, head.headers.get('etag'), head.headers.get('content-length'), (await head.arrayBuffer()).byteLength]).toEqual([200, made.headers.get('etag'), String(made.body.length), 0]);
      const conditional = await get(path, { 'if-none-match': made.headers.get('etag')! });
      expect([conditional.status, conditional.body.length, conditional.headers.get('etag')]).toEqual([304, 0, made.headers.get('etag')]);
    });

    it('concurrent requests for it each get the whole body', async () => {
      const hits = await Promise.all(Array.from({ length: 6 }, () => get(path)));
      expect(hits.map((h) => [h.status, h.body.equals(made.body)])).toEqual(hits.map(() => [200, true]));
    });

    it('a client that reads slowly still gets every byte', async () => {
      const { hostname, port } = new URL(app.url);
      const body = await new Promise<Buffer>((resolve, reject) => {
        http.get({ hostname, port, path, agent: false }, (response) => {
          const chunks: Buffer[] = [];
          response.pause();
          // Reads one chunk every few milliseconds: the server's writes wait for this reader.
          const timer = setInterval(() => {
            const chunk = response.read(16 * 1024) as Buffer | null;
            if (chunk) chunks.push(chunk);
          }, 5);
          response.on('end', () => {
            clearInterval(timer);
            resolve(Buffer.concat(chunks));
          });
          response.on('error', reject);
        }).on('error', reject);
      });
      expect(body.equals(made.body)).toBe(true);
    });
  });
});
