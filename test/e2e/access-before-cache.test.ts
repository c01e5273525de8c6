import fs from 'node:fs';
import ImageKit from '@imagekit/nodejs';
import sharp from 'sharp';
import { deliveryCounters } from '../../shared/delivery/metrics';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server';

type EndpointBody = Parameters<ImageKit['accounts']['urlEndpoints']['create']>[0];

/** Access is decided on every request before any cache is read: a rendition stored for a signed URL is not served unsigned. */
describe('the rendition cache never bypasses access rules', () => {
  let app: TestApp;
  let client: ImageKit;
  let web: LoopbackServer;

  const sign = (urlEndpoint: string, src: string, transformation: { width: number }[], expiresIn?: number) =>
    client.helper.buildSrc({ urlEndpoint, src, transformation, signed: true, ...(expiresIn ? { expiresIn } : {}) });
  const unsigned = (signedUrl: string) => {
    const url = new URL(signedUrl);
    url.searchParams.delete('ik-s');
    url.searchParams.delete('ik-t');
    return url.toString();
  };
  async function get(url: string) {
    const response = await fetch(url);
    return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
  }

  beforeAll(async () => {
    app = await startTestApp({ ALLOW_PRIVATE_ORIGIN_ADDRESSES: 'true' });
    client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    const image = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#28c' } }).png().toBuffer();
    const font = fs.readFileSync(require.resolve('@expo-google-fonts/lobster/400Regular/Lobster_400Regular.ttf'));
    web = await startLoopbackServer((req, res) => (req.url?.endsWith('.ttf') ? res.writeHead(200, { 'content-type': 'font/ttf' }).end(font) : res.writeHead(200, { 'content-type': 'image/png' }).end(image)));
    const photos = await serveDemoFromDefaultEndpoint(app, client);
    const proxy = await client.accounts.origins.create({ type: 'WEB_PROXY', name: 'Proxy' });
    await client.accounts.urlEndpoints.create({ description: 'proxy', urlPrefix: 'proxy', origins: [proxy.id] });
    await client.accounts.urlEndpoints.create({ description: 'mixed', urlPrefix: 'mixed', origins: [photos, proxy.id] });
    await client.accounts.urlEndpoints.create({ description: 'signed only', urlPrefix: 'private', origins: [photos], restrictUnsignedUrls: true } as EndpointBody);
  });
  afterAll(async () => {
    await web.close();
    await app.close();
  });

  it('WEB_PROXY: signed is served and stored; the same URL unsigned is 401, not a HIT, and fetches nothing', async () => {
    const signed = sign(`${app.url}/proxy`, `/${web.url}/a.png`, [{ width: 40 }]);
    const first = await get(signed);
    expect([first.status, first.headers.get('x-rendition-cache')]).toEqual([200, 'MISS']);
    expect((await sharp(first.body).metadata()).width).toBe(40);
    const again = await get(signed);
    expect([again.status, again.headers.get('x-rendition-cache')]).toEqual([200, 'HIT']);

    const requestsBefore = web.requests.length;
    const stolen = await get(unsigned(signed));
    expect(stolen.status).toBe(401);
    expect(stolen.headers.get('ik-error')).toMatch(/^EUNAUTHORIZED - WEB_PROXY origins serve signed URLs only/);
    expect(stolen.headers.get('x-rendition-cache')).toBeNull();
    expect(stolen.body.includes(first.body)).toBe(false);
    expect(web.requests.length).toBe(requestsBefore);
  });

  it('WEB_PROXY as an image layer on an endpoint whose first origin is Blob Storage: the same rule', async () => {
    // `:` separates steps, so the layer's URL carries it encoded (twice: the path segment is decoded once before parsing).
    const layerUrl = `${web.url}/layer.png`.replace(/\//g, '@@').replace(/:/g, '%253A');
    const layer = `l-image,i-${layerUrl},w-20,l-end`;
    const signed = client.helper.buildSrc({ urlEndpoint: `${app.url}/mixed`, src: `/tr:w-100,${layer}/sample/plant.jpg`, signed: true });
    const served = await get(signed);
    expect([served.status, served.headers.get('ik-error')]).toEqual([200, null]);
    expect((await get(signed)).headers.get('x-rendition-cache')).toBe('HIT');
    expect((await get(unsigned(signed))).status).toBe(401);
    // The same endpoint serves its Blob Storage assets unsigned.
    expect((await get(`${app.url}/mixed/tr:w-50/sample/plant.jpg`)).status).toBe(200);
  });

  it('WEB_PROXY as a custom font (ff-<url>.ttf) of a text layer: the same rule', async () => {
    const fontUrl = `${web.url}/brand.ttf`.replace(/\//g, '@@').replace(/:/g, '%253A');
    const signed = client.helper.buildSrc({ urlEndpoint: `${app.url}/mixed`, src: `/tr:l-text,i-Hi,fs-30,ff-${fontUrl},l-end/sample/plant.jpg`, signed: true });
    const served = await get(signed);
    expect([served.status, served.headers.get('ik-error')]).toEqual([200, null]);
    expect(web.requests.some((r) => r.url === '/brand.ttf')).toBe(true);
    const stolen = await get(unsigned(signed));
    expect(stolen.status).toBe(401);
    expect(stolen.headers.get('ik-error')).toMatch(/^EUNAUTHORIZED - WEB_PROXY origins serve signed URLs only/);
  });

  it('an expired ik-t is 401 even though its rendition is stored, and no response outlives its ik-t', async () => {
    const signed = sign(`${app.url}/private`, '/sample/plant.jpg', [{ width: 64 }], 2);
    const first = await get(signed);
    expect(first.status).toBe(200);
    const maxAge = Number(/max-age=(\d+)/.exec(first.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeLessThanOrEqual(2);
    expect(first.headers.get('cache-control')).toMatch(/s-maxage=[0-2]\b/);
    const hit = await get(signed);
    expect([hit.status, hit.headers.get('x-rendition-cache')]).toEqual([200, 'HIT']);

    // After the expiry (ik-t is whole seconds), the stored rendition is not served for it.
    const expiry = Number(new URL(signed).searchParams.get('ik-t'));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiry * 1000 - Date.now()) + 1100));
    const transformsBefore = deliveryCounters.transforms;
    const expired = await get(signed);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('ik-error')).toMatch(/expired/);
    expect(deliveryCounters.transforms).toBe(transformsBefore);
  });

  it('restrictUnsignedUrls: a signed request stores the rendition, the unsigned one is still 401', async () => {
    const signed = sign(`${app.url}/private`, '/sample/plant.jpg', [{ width: 48 }]);
    expect((await get(signed)).status).toBe(200);
    expect((await get(signed)).headers.get('x-rendition-cache')).toBe('HIT');
    const stolen = await get(unsigned(signed));
    expect(stolen.status).toBe(401);
    expect(stolen.headers.get('x-rendition-cache')).toBeNull();
  });
});
