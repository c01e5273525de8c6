import ImageKit from '@imagekit/nodejs';
import sharp from 'sharp';
import { purgeGeneration } from '../../shared/cache/purge-generation';
import { settleRenditionWrites } from '../../shared/cache/renditions';
import { startTestApp, type TestApp } from '../helpers/app';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server';

/**
 * A new rendition is answered before it is stored. Storage is stopped (SIGSTOP) while the write waits: the next
 * request is still a HIT, and a purge that runs before the write lands wins, so nothing of the old original stays.
 */
describe('the rendition write after the response', () => {
  let app: TestApp;
  let client: ImageKit;
  let web: LoopbackServer;
  /** The web origin's files by path. */
  const files = new Map<string, Buffer>();

  const paint = (background: string) => sharp({ create: { width: 120, height: 60, channels: 3, background } }).png().toBuffer();
  /** The first pixel, rounded to 0 or 255 per channel: output encodings are lossy. */
  const colour = async (body: Buffer) => [...(await sharp(body).raw().toBuffer()).subarray(0, 3)].map((v) => (v > 127 ? 255 : 0));
  async function get(path: string) {
    const response = await fetch(`${app.url}${path}`);
    return { status: response.status, cache: response.headers.get('x-rendition-cache'), body: Buffer.from(await response.arrayBuffer()) };
  }
  async function storedRenditions(prefix: string): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of app.blobs.getContainerClient('renditions').listBlobsFlat({ prefix })) names.push(blob.name);
    return names;
  }

  beforeAll(async () => {
    // The configuration stays cached and a stalled storage call is waited for, so delivery works while storage is stopped.
    app = await startTestApp({ ALLOW_PRIVATE_ORIGIN_ADDRESSES: 'true', CONFIG_CACHE_SECONDS: '600', STORAGE_TRY_TIMEOUT_MS: '60000', STORAGE_DEADLINE_MS: '120000' });
    client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    files.set('/fallback.png', await paint('#0000ff'));
    web = await startLoopbackServer((req, res) => {
      const body = files.get(req.url ?? '');
      if (body) res.writeHead(200, { 'content-type': 'image/png' }).end(body);
      else res.writeHead(404).end();
    });
    const origin = await client.accounts.origins.create({ type: 'WEB_FOLDER', name: 'Site', baseUrl: web.url });
    await client.accounts.urlEndpoints.update('default', { description: 'Default', origins: [origin.id] });
  });
  afterAll(async () => {
    process.kill(app.azurite.pid, 'SIGCONT');
    await web.close();
    await app.close();
  });

  it('the next request is a HIT before the write lands, and a purge during the write leaves nothing stored', async () => {
    // A rendition stored first, so the container exists; then a stand-in, so this name is known absent and the
    // request below asks storage nothing before it answers.
    await get('/tr:w-10/fallback.png');
    await settleRenditionWrites();
    const path = '/tr:w-60,di-fallback.png/photo.png';
    expect(await colour((await get(path)).body)).toEqual([0, 0, 255]);
    files.set('/photo.png', await paint('#ff0000'));

    process.kill(app.azurite.pid, 'SIGSTOP');
    const made = await get(path);
    expect([made.status, made.cache, await colour(made.body)]).toEqual([200, 'MISS', [255, 0, 0]]);
    // The write waits on the stopped storage; the rendition is served from this instance meanwhile.
    const again = await get(path);
    expect([again.cache, again.body.equals(made.body)]).toEqual(['HIT', true]);

    // The original changes and is purged while the write still waits.
    files.set('/photo.png', await paint('#00ff00'));
    const generation = purgeGeneration();
    const purge = client.cache.invalidation.create({ url: `${app.url}/photo.png` });
    while (purgeGeneration() === generation) await new Promise((resolve) => setTimeout(resolve, 10));
    process.kill(app.azurite.pid, 'SIGCONT');
    await purge;
    await settleRenditionWrites();

    expect(await storedRenditions('default/photo.png/')).toEqual([]);
    const fresh = await get(path);
    expect([fresh.cache, await colour(fresh.body)]).toEqual(['MISS', [0, 255, 0]]);
  });
});
