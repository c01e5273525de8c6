import ImageKit from '@imagekit/nodejs';
import sharp from 'sharp';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';

describe("Front Door's format hint path (autoFormatStrategy=edgeHint)", () => {
  let app: TestApp;
  let client: ImageKit;

  beforeAll(async () => {
    app = await startTestApp({ RESTRICT_UNSIGNED_URLS: 'false' });
    client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    await serveDemoFromDefaultEndpoint(app, client);
  });
  afterAll(() => app.close());

  async function format(path: string, accept = 'image/jpeg') {
    const response = await fetch(`${app.url}${path}`, { headers: { accept } });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, format: response.ok ? (await sharp(body).metadata()).format : undefined, vary: response.headers.get('vary') };
  }

  it('the hint replaces Accept: webp even when the request only accepts JPEG', async () => {
    expect(await format('/_ik-accept/webp/tr:w-100/sample/plant.jpg')).toEqual({ status: 200, format: 'webp', vary: 'Accept' });
    // AVIF stays off unless AUTO_AVIF is on, so the avif hint falls back to WebP.
    expect(await format('/_ik-accept/avif/sample/plant.jpg?tr=w-100')).toEqual({ status: 200, format: 'webp', vary: 'Accept' });
    expect(await format('/tr:w-100/sample/plant.jpg')).toEqual({ status: 200, format: 'jpeg', vary: 'Accept' });
  });

  it('an explicit format wins over the hint', async () => {
    expect((await format('/_ik-accept/webp/tr:w-100,f-png/sample/plant.jpg')).format).toBe('png');
  });

  it('signatures cover the URL without the hint', async () => {
    const signed = client.helper.buildSrc({ urlEndpoint: app.url, src: '/sample/plant.jpg', transformation: [{ width: 80 }], signed: true });
    const hinted = signed.replace(app.url, `${app.url}/_ik-accept/webp`);
    expect(await format(hinted.slice(app.url.length))).toMatchObject({ status: 200, format: 'webp' });
    expect((await format(hinted.slice(app.url.length).replace('w-80', 'w-81'))).status).toBe(401);
  });

  it('an unknown hint is 400', async () => {
    const response = await fetch(`${app.url}/_ik-accept/gif/sample/plant.jpg`);
    expect(response.status).toBe(400);
    expect(response.headers.get('ik-error')).toMatch(/^EBADPARAM - .*_ik-accept\/gif/);
  });
});
