import ImageKit from '@imagekit/nodejs';
import type { ServerResponse } from 'node:http';
import sharp from 'sharp';
import { startTestApp, type TestApp } from '../helpers/app';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server';

/**
 * An original replaced and purged while a rendition of the old bytes is being made: the old rendition answers the
 * request that made it, and is never stored, so the next request is a MISS with the new pixels.
 */
describe('a purge during a transform wins', () => {
  let app: TestApp;
  let client: ImageKit;
  let web: LoopbackServer;
  let current: Buffer;
  /** Requests for the original held back by the test, answered when it says so. */
  const held: { res: ServerResponse; body: Buffer }[] = [];
  let hold = false;

  /** The first pixel, rounded to the nearest of 0 and 255 per channel: output encodings are lossy. */
  const colour = async (body: Buffer) => {
    const { data } = await sharp(body).raw().toBuffer({ resolveWithObject: true });
    return [...data.subarray(0, 3)].map((v) => (v > 127 ? 255 : 0));
  };

  beforeAll(async () => {
    app = await startTestApp({ ALLOW_PRIVATE_ORIGIN_ADDRESSES: 'true' });
    client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    current = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#ff0000' } }).png().toBuffer();
    web = await startLoopbackServer((_req, res) => {
      // The bytes are those of the moment the request arrived, as a real origin would send.
      const body = current;
      if (hold) held.push({ res, body });
      else res.writeHead(200, { 'content-type': 'image/png' }).end(body);
    });
    const origin = await client.accounts.origins.create({ type: 'WEB_FOLDER', name: 'Site', baseUrl: web.url });
    await client.accounts.urlEndpoints.update('default', { description: 'Default', origins: [origin.id] });
  });
  afterAll(async () => {
    await web.close();
    await app.close();
  });

  /** Starts a request whose original the origin holds back until `release`. */
  async function heldRequest(url: string): Promise<{ response: Promise<Response> }> {
    const count = held.length;
    hold = true;
    const response = fetch(url);
    while (held.length === count) await new Promise((resolve) => setTimeout(resolve, 10));
    return { response };
  }
  function release(): void {
    hold = false;
    for (const { res, body } of held.splice(0)) res.writeHead(200, { 'content-type': 'image/png' }).end(body);
  }
  const paint = (background: string) => sharp({ create: { width: 100, height: 100, channels: 3, background } }).png().toBuffer();

  it('the rendition of the old original answers its request and is not stored; the next request is a MISS with the new pixels', async () => {
    const url = `${app.url}/tr:w-20/photo.png`;
    const slow = await heldRequest(url);
    // The original is replaced and purged while the request still waits for the old bytes.
    current = await paint('#0000ff');
    await client.cache.invalidation.create({ url: `${app.url}/photo.png` });
    release();

    const old = await slow.response;
    expect(old.status).toBe(200);
    expect(await colour(Buffer.from(await old.arrayBuffer()))).toEqual([255, 0, 0]);
    await app.parts().renditions.settle();

    const next = await fetch(url);
    expect(next.headers.get('x-rendition-cache')).toBe('MISS');
    expect(await colour(Buffer.from(await next.arrayBuffer()))).toEqual([0, 0, 255]);
    await app.parts().renditions.settle();
    const stored: string[] = [];
    for await (const blob of app.blobs.getContainerClient('renditions').listBlobsFlat({ prefix: 'default/photo.png/' })) stored.push(blob.name);
    expect(stored).toHaveLength(1);
    const hit = await fetch(url);
    expect(hit.headers.get('x-rendition-cache')).toBe('HIT');
    expect(await colour(Buffer.from(await hit.arrayBuffer()))).toEqual([0, 0, 255]);
  });

  it('a request after a purge does not join work that started before it', async () => {
    const url = `${app.url}/tr:w-30/photo.png`;
    current = await paint('#00ff00');
    const before = await heldRequest(url);
    current = await paint('#ff00ff');
    await client.cache.invalidation.create({ url: `${app.url}/photo.png` });
    const after = await heldRequest(url);
    release();
    expect(await colour(Buffer.from(await (await before.response).arrayBuffer()))).toEqual([0, 255, 0]);
    const fresh = await after.response;
    expect(fresh.headers.get('x-rendition-cache')).toBe('MISS');
    expect(await colour(Buffer.from(await fresh.arrayBuffer()))).toEqual([255, 0, 255]);
  });
});
