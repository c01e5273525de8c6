import ImageKit from '@imagekit/nodejs';
import { createHmac } from 'node:crypto';
import sharp from 'sharp';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';

/** Delivery of signed URLs whose spelling the Functions host changed, with App Service's X-Waws-Unencoded-Url beside it. */
describe('signed URLs re-encoded by the host', () => {
  let app: TestApp;
  const signedTarget = (target: string) => `${target}?ik-s=${createHmac('sha1', app.privateKey).update(`${target.slice(1)}9999999999`).digest('hex')}`;

  beforeAll(async () => {
    app = await startTestApp({ RESTRICT_UNSIGNED_URLS: 'true' });
    await serveDemoFromDefaultEndpoint(app, new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 }));
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
});
