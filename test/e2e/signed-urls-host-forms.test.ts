import ImageKit from '@imagekit/nodejs';
import { createHmac } from 'node:crypto';
import sharp from 'sharp';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';

/** Delivery of signed URLs whose spelling the Functions host changed, with App Service's X-Waws-Unencoded-Url beside it. */
describe('URLs re-encoded by the host', () => {
  let app: TestApp;
  const signedTarget = (target: string) => `${target}?ik-s=${createHmac('sha1', app.privateKey).update(`${target.slice(1)}9999999999`).digest('hex')}`;

  beforeAll(async () => {
    app = await startTestApp({ RESTRICT_UNSIGNED_URLS: 'true' });
    await serveDemoFromDefaultEndpoint(app, new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 }));
    const badge = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#00f' } }).png().toBuffer();
    await app.blobs.getContainerClient('photos').getBlockBlobClient('badge:1.png').uploadData(badge, { blobHTTPHeaders: { blobContentType: 'image/png' } });
  });
  afterAll(() => app.close());

  it('a signature over an escaped unreserved character verifies with the original target, and only for the same request', async () => {
    const original = signedTarget('/tr:w-50/sample/%70lant.jpg');
    const signature = original.slice(original.indexOf('?'));
    // What the host hands over: %70 decoded to "p".
    const handedOver = `${app.url}/tr:w-50/sample/plant.jpg${signature}`;
    expect((await fetch(handedOver)).status).toBe(401);
    const served = await fetch(handedOver, { headers: { 'x-waws-unencoded-url': original } });
    expect(served.status).toBe(200);
    expect((await sharp(Buffer.from(await served.arrayBuffer())).metadata()).width).toBe(50);
    // The same header beside another transformation does not lend its signature.
    const other = await fetch(`${app.url}/tr:w-500/sample/plant.jpg${signature}`, { headers: { 'x-waws-unencoded-url': original } });
    expect(other.status).toBe(401);
  });

  it('lower-case escapes re-encoded in upper case verify without help', async () => {
    const original = signedTarget('/tr:w-40/sample/pl%c3%a9nt.jpg');
    const upper = original.replace('%c3%a9', '%C3%A9');
    // The asset does not exist under that name: the signature passes, and the answer is the origin's 404.
    expect((await fetch(`${app.url}${upper}`)).status).toBe(404);
    expect((await fetch(`${app.url}${upper.replace('w-40', 'w-41')}`)).status).toBe(401);
  });

  it('a doubly encoded layer path (its ":" written %253A) is read as the client wrote it when App Service keeps the target', async () => {
    const original = signedTarget('/tr:w-100,l-image,i-badge%253A1.png,l-end/sample/plant.jpg');
    // The host decodes %25 once more before the app sees the URL: ":" would then split the chain.
    const handedOver = `${app.url}${original.replace('%253A', '%3A')}`;
    expect((await fetch(handedOver)).status).toBe(400);
    const served = await fetch(handedOver, { headers: { 'x-waws-unencoded-url': original } });
    expect([served.status, served.headers.get('ik-error')]).toEqual([200, null]);
    const { data, info } = await sharp(Buffer.from(await served.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
    // The blue badge sits at the centre of the 100 px wide result.
    const centre = (Math.floor(info.height / 2) * info.width + 50) * info.channels;
    expect([data[centre] < 80, data[centre + 2] > 170]).toEqual([true, true]);
  });
});
