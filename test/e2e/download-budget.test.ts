import ImageKit from '@imagekit/nodejs';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { startTestApp, type TestApp } from '../helpers/app';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server';

/**
 * Downloaded bodies are held in DOWNLOAD_BUDGET_MB: with one large original half-way in, another that does not fit
 * waits and gets 503, a missing file is still 404 at once, and all is served once the first has finished.
 */
describe('the download budget', () => {
  let app: TestApp;
  let origin: LoopbackServer;
  let noise: Buffer;
  let finishStalled: () => void = () => undefined;
  let stalledStarted = false;

  beforeAll(async () => {
    // About 530 kB each: two do not fit in 1 MB.
    noise = await sharp(randomBytes(420 * 420 * 3), { raw: { width: 420, height: 420, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    const gate = new Promise<void>((resolve) => (finishStalled = resolve));
    origin = await startLoopbackServer((req, res) => {
      if (req.url === '/stalled.png') {
        // The headers and a first part at once, the rest when the test says: a download in flight, its length known.
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': noise.length });
        res.write(noise.subarray(0, 1000));
        stalledStarted = true;
        return void gate.then(() => res.end(noise.subarray(1000)));
      }
      if (req.url === '/other.png') return res.writeHead(200, { 'content-type': 'image/png', 'content-length': noise.length }).end(noise);
      res.writeHead(404).end();
    });
    app = await startTestApp({ ALLOW_PRIVATE_ORIGIN_ADDRESSES: 'true', DOWNLOAD_BUDGET_MB: '1', QUEUE_TIMEOUT_MS: '300', ORIGIN_TIMEOUT_MS: '60000', MEMORY_CACHE_MB: '0' });
    const client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    const web = await client.accounts.origins.create({ type: 'WEB_FOLDER', name: 'Noise', baseUrl: origin.url });
    await client.accounts.urlEndpoints.update('default', { description: 'Default', origins: [web.id] });
  });
  afterAll(async () => {
    finishStalled();
    await origin.close();
    await app.close();
  });

  it('a body that does not fit beside one in flight waits, then 503; 404s never wait; all is served after', async () => {
    const stalled = fetch(`${app.url}/tr:w-10/stalled.png`);
    while (!stalledStarted) await new Promise((resolve) => setTimeout(resolve, 10));

    // Until the stalled body's length is reserved, another download may still fit; once it is, none does.
    let refused: Response | undefined;
    for (let i = 0; i < 50 && !refused; i++) {
      const response = await fetch(`${app.url}/tr:w-11/other.png?try=${i}`);
      if (response.status === 503) refused = response;
      else expect(response.status).toBe(200);
    }
    expect(refused?.headers.get('ik-error')).toMatch(/^EBUSY - No download slot and memory freed within 300 ms/);
    expect(refused?.headers.get('retry-after')).toBe('1');

    const missing = await fetch(`${app.url}/tr:w-10/missing.png`);
    expect(missing.status).toBe(404);

    finishStalled();
    const done = await stalled;
    expect(done.status).toBe(200);
    expect((await sharp(Buffer.from(await done.arrayBuffer())).metadata()).width).toBe(10);
    const after = await fetch(`${app.url}/tr:w-12/other.png`);
    expect(after.status).toBe(200);
  });

  it('one body larger than the whole budget is 400 ELIMIT naming DOWNLOAD_BUDGET_MB', async () => {
    const big = Buffer.concat([noise, noise, noise]);
    const server = await startLoopbackServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png', 'content-length': big.length }).end(big));
    try {
      const client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
      const web = await client.accounts.origins.create({ type: 'WEB_FOLDER', name: 'Big', baseUrl: server.url });
      await client.accounts.urlEndpoints.create({ description: 'big', urlPrefix: 'big', origins: [web.id] });
      const response = await fetch(`${app.url}/big/tr:w-10/big.png`);
      expect(response.status).toBe(400);
      expect(response.headers.get('ik-error')).toMatch(/^ELIMIT - .*DOWNLOAD_BUDGET_MB/);
    } finally {
      await server.close();
    }
  });
});
