import ImageKit from '@imagekit/nodejs';
import LegacyImageKit from 'imagekit';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';

describe('signed URLs from the ImageKit SDKs, on an endpoint that refuses unsigned ones', () => {
  let app: TestApp;
  let client: ImageKit;

  beforeAll(async () => {
    app = await startTestApp({ RESTRICT_UNSIGNED_URLS: 'true' });
    client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    await serveDemoFromDefaultEndpoint(app, client);
    const photos = app.blobs.getContainerClient('photos');
    const plant = await photos.getBlobClient('sample/plant.jpg').downloadToBuffer();
    await photos.getBlockBlobClient('sample/हिन्दी.jpg').uploadData(plant);
  });
  afterAll(() => app.close());

  const status = async (url: string) => {
    const response = await fetch(url);
    return [response.status, response.headers.get('ik-error')?.split(' - ')[0] ?? null];
  };

  it('@imagekit/nodejs signed URLs verify in query and path form, with and without expiry, non-ASCII paths too', async () => {
    for (const transformationPosition of ['query', 'path'] as const) {
      for (const expiresIn of [undefined, 300]) {
        for (const src of ['/sample/plant.jpg', '/sample/हिन्दी.jpg']) {
          const url = client.helper.buildSrc({ urlEndpoint: app.url, src, transformation: [{ width: 100, height: 100 }], transformationPosition, signed: true, expiresIn });
          expect([url, await status(url)]).toEqual([url, [200, null]]);
        }
      }
    }
  });

  it('legacy imagekit signed URLs verify, including the %2C-encoded query form', async () => {
    const legacy = new LegacyImageKit({ publicKey: 'public_unused', privateKey: app.privateKey, urlEndpoint: app.url });
    const url = (path: string, transformationPosition: 'path' | 'query') =>
      legacy.url({ path, transformation: [{ width: 120, height: 80 }], transformationPosition, signed: true, expireSeconds: 300 });
    expect(await status(url('/sample/plant.jpg', 'path'))).toEqual([200, null]);
    expect(await status(url('sample/plant.jpg', 'query'))).toEqual([200, null]);
    // With a leading slash the query form at a root endpoint starts with `//`, which no route of the Functions host matches.
    const doubled = url('/sample/plant.jpg', 'query');
    expect(new URL(doubled).pathname).toBe('//sample/plant.jpg');
    expect(await status(doubled)).toEqual([404, null]);
  });

  it('unsigned, tampered and expired URLs answer 401', async () => {
    expect(await status(`${app.url}/tr:w-100/sample/plant.jpg`)).toEqual([401, 'EUNAUTHORIZED']);
    const url = client.helper.buildSrc({ urlEndpoint: app.url, src: '/sample/plant.jpg', transformation: [{ width: 100 }], signed: true });
    expect(await status(url.replace('w-100', 'w-101'))).toEqual([401, 'EUNAUTHORIZED']);
    expect(await status(url.replace(/ik-s=([0-9a-f])/, (_m, c: string) => `ik-s=${c === 'a' ? 'b' : 'a'}`))).toEqual([401, 'EUNAUTHORIZED']);
    const past = Math.floor(Date.now() / 1000) - 60;
    const expired = client.helper.buildSrc({ urlEndpoint: app.url, src: '/sample/plant.jpg', signed: true, expiresIn: 1 });
    const resigned = expired.replace(/ik-t=\d+/, `ik-t=${past}`);
    expect(await status(resigned)).toEqual([401, 'EUNAUTHORIZED']);
  });
});
