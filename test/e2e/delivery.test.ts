import ImageKit from '@imagekit/nodejs';
import LegacyImageKit from 'imagekit';
import sharp from 'sharp';
import { demoImages } from '../../dev/sample-images';
import { startTestApp, uploadDemo, type TestApp } from '../helpers/app';

/** Left half red, right half blue: crops and squeezes show in pixel values. */
const halves = () =>
  sharp({ create: { width: 200, height: 100, channels: 3, background: '#ff0000' } })
    .composite([{ input: { create: { width: 100, height: 100, channels: 3, background: '#0000ff' } }, left: 100, top: 0 }])
    .png()
    .toBuffer();

describe('delivery over HTTP, URLs built by the ImageKit SDKs', () => {
  let app: TestApp;
  let client: ImageKit;
  let legacy: LegacyImageKit;
  let originals: Map<string, Buffer>;

  async function get(url: string, headers: Record<string, string> = {}) {
    const response = await fetch(url, { headers });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, body };
  }

  async function image(url: string, headers: Record<string, string> = {}) {
    const response = await get(url, headers);
    expect(response.status).toBe(200);
    const meta = await sharp(response.body).metadata();
    return { ...response, meta };
  }

  const src = (path: string, transformation: object[], transformationPosition: 'path' | 'query' = 'query') =>
    client.helper.buildSrc({ urlEndpoint: app.url, src: path, transformation, transformationPosition });

  beforeAll(async () => {
    app = await startTestApp();
    const sas = await uploadDemo(app, 'photos');
    const photos = app.blobs.getContainerClient('photos');
    await photos.getBlockBlobClient('test/halves.png').uploadData(await halves());
    const tagged = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
      .withMetadata({ exif: { IFD0: { Copyright: 'someone', Artist: 'someone' } } })
      .withIccProfile('p3')
      .jpeg()
      .toBuffer();
    await photos.getBlockBlobClient('test/tagged.jpg').uploadData(tagged);
    await photos.getBlockBlobClient('docs/readme.txt').uploadData(Buffer.from('plain text'), { blobHTTPHeaders: { blobContentType: 'text/plain' } });
    await photos.getBlockBlobClient('test/icon.svg').uploadData(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="red"/></svg>'), { blobHTTPHeaders: { blobContentType: 'image/svg+xml' } });
    originals = new Map((await demoImages()).map((i) => [i.name, i.body]));

    await app.blobs.getContainerClient('empty').create();
    client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    const common = { type: 'AZURE_BLOB' as const, accountName: 'devstoreaccount1', endpoint: app.azurite.blobEndpoint };
    const photosOrigin = await client.accounts.origins.create({ ...common, name: 'Photos', container: 'photos', sasToken: sas });
    const { readOnlyContainerSas } = await import('../../dev/seed');
    const { AZURITE_ACCOUNT, AZURITE_KEY } = await import('../../dev/azurite');
    const emptyOrigin = await client.accounts.origins.create({ ...common, name: 'Empty', container: 'empty', sasToken: readOnlyContainerSas(AZURITE_ACCOUNT, AZURITE_KEY, 'empty') });
    await client.accounts.urlEndpoints.update('default', { description: 'Default', origins: [photosOrigin.id] });
    // The first origin lacks everything, so every hit on this endpoint comes from the second.
    await client.accounts.urlEndpoints.create({ description: 'Products', urlPrefix: 'products', origins: [emptyOrigin.id, photosOrigin.id] });
    legacy = new LegacyImageKit({ publicKey: 'public_unused', privateKey: app.privateKey, urlEndpoint: `${app.url}/products` });
  });
  afterAll(() => app.close());

  describe("ImageKit's documented sizes for a 640x865 image", () => {
    it.each([
      [{ width: 300, height: 200 }, 300, 200],
      [{ width: 300, height: 200, crop: 'force' }, 300, 200],
      [{ width: 300, height: 200, crop: 'at_max' }, 148, 200],
      [{ width: 300, height: 200, crop: 'at_least' }, 300, 405],
      [{ width: 850, height: 1000, crop: 'at_max_enlarge' }, 740, 1000],
      [{ width: 1000, height: 1000, crop: 'at_max' }, 640, 865],
      [{ width: 0.5 }, 320, 433],
      [{ height: 0.25 }, 160, 216],
      [{ width: 400, aspectRatio: '4-3' }, 400, 300],
    ])('%o gives %ix%i, in query and path form', async (transformation, width, height) => {
      for (const position of ['query', 'path'] as const) {
        const { meta } = await image(src('/sample/plant.jpg', [transformation], position));
        expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', width, height]);
      }
    });
  });

  it('legacy imagekit SDK URLs work, path form and the %2C-encoded query form', async () => {
    const path = legacy.url({ path: '/sample/plant.jpg', transformation: [{ width: 300, height: 200, crop: 'at_least' }] });
    expect(path).toContain('/products/tr:');
    expect((await image(path)).meta).toMatchObject({ width: 300, height: 405 });
    const query = legacy.url({ path: '/sample/plant.jpg', transformation: [{ width: 300, height: 200 }], transformationPosition: 'query' });
    expect(query).toContain('%2C');
    expect((await image(query)).meta).toMatchObject({ width: 300, height: 200 });
  });

  it('crop modes put the right pixels in place', async () => {
    const pixel = async (url: string, x: number, y: number) => {
      const { data, info } = await sharp((await get(url)).body).raw().toBuffer({ resolveWithObject: true });
      const i = (y * info.width + x) * info.channels;
      return [data[i], data[i + 1], data[i + 2]];
    };
    const red = (p: number[]) => p[0] > 200 && p[2] < 60;
    const blue = (p: number[]) => p[2] > 200 && p[0] < 60;
    // maintain_ratio: scale to 100x50, keep the centre 50x50: a quarter red, a quarter blue of the original.
    const cover = src('/test/halves.png', [{ width: 50, height: 50, format: 'png' }]);
    expect(red(await pixel(cover, 5, 25))).toBe(true);
    expect(blue(await pixel(cover, 45, 25))).toBe(true);
    // force squeezes the whole width in: left half red, right half blue.
    const force = src('/test/halves.png', [{ width: 50, height: 50, crop: 'force', format: 'png' }]);
    expect(red(await pixel(force, 20, 10))).toBe(true);
    expect(blue(await pixel(force, 30, 10))).toBe(true);
    expect((await image(force)).meta).toMatchObject({ width: 50, height: 50 });
  });

  it.each([
    ['jpg', 'jpeg', 'image/jpeg'],
    ['jpeg', 'jpeg', 'image/jpeg'],
    ['png', 'png', 'image/png'],
    ['webp', 'webp', 'image/webp'],
    ['avif', 'heif', 'image/avif'],
  ])('f-%s gives %s with content type %s and no Vary', async (format, decoded, contentType) => {
    const { meta, headers } = await image(`${app.url}/tr:w-120,f-${format}/sample/landscape.jpg`);
    expect(meta.format).toBe(decoded);
    expect([meta.width, meta.height]).toEqual([120, 80]);
    expect(headers.get('content-type')).toBe(contentType);
    expect(headers.get('vary')).toBeNull();
  });

  it('f-auto and no f negotiate by Accept and say Vary: Accept', async () => {
    const webp = await image(`${app.url}/tr:w-100/sample/landscape.jpg`, { accept: 'image/avif,image/webp,*/*' });
    expect(webp.meta.format).toBe('webp');
    expect(webp.headers.get('vary')).toBe('Accept');
    const jpeg = await image(`${app.url}/tr:w-100,f-auto/sample/landscape.jpg`, { accept: 'image/jpeg' });
    expect(jpeg.meta.format).toBe('jpeg');
    expect(jpeg.headers.get('vary')).toBe('Accept');
    const png = await image(`${app.url}/sample/logo.png`, { accept: 'image/png' });
    expect([png.meta.format, png.meta.hasAlpha]).toEqual(['png', true]);
  });

  it('transparency: kept in PNG (corner alpha 0), flattened to white in JPEG', async () => {
    const png = await get(`${app.url}/tr:w-100,f-png/sample/logo.png`);
    const { data, info } = await sharp(png.body).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    expect(data[3]).toBe(0);
    const jpg = await get(`${app.url}/tr:w-100,f-jpg/sample/logo.png`);
    const corner = await sharp(jpg.body).raw().toBuffer();
    expect([corner[0], corner[1], corner[2]].every((v) => v > 245)).toBe(true);
  });

  it('q changes the bytes, default 80', async () => {
    const sizes: number[] = [];
    for (const q of [10, 80, 95]) sizes.push((await get(`${app.url}/tr:w-400,f-jpg,q-${q}/sample/landscape.jpg`)).body.length);
    expect(sizes[0]).toBeLessThan(sizes[1]);
    expect(sizes[1]).toBeLessThan(sizes[2]);
    const defaultQ = (await get(`${app.url}/tr:w-400,f-jpg/sample/landscape.jpg`)).body;
    expect(defaultQ.length).toBe(sizes[1]);
  });

  it('JPEG output is 4:4:4 by default', async () => {
    const { meta } = await image(`${app.url}/tr:w-100,f-jpg/sample/landscape.jpg`);
    expect(meta.chromaSubsampling).toBe('4:4:4');
  });

  it('orig-true returns the original bytes untouched', async () => {
    const response = await get(src('/sample/plant.jpg', [{ width: 100, original: true }]));
    expect(response.status).toBe(200);
    expect(response.body.equals(originals.get('sample/plant.jpg')!)).toBe(true);
  });

  it('chained steps run in order', async () => {
    expect((await image(`${app.url}/tr:w-300,h-200:w-0.5/sample/plant.jpg`)).meta).toMatchObject({ width: 150, height: 100 });
    expect((await image(src('/sample/plant.jpg', [{ width: 0.5 }, { width: 100 }]))).meta).toMatchObject({ width: 100, height: 135 });
    // Path steps first, then query steps.
    expect((await image(`${app.url}/tr:w-300,h-200/sample/plant.jpg?tr=w-0.5`)).meta).toMatchObject({ width: 150, height: 100 });
  });

  it('applies EXIF orientation and strips metadata once any step asks for pixels; served as it is, the original keeps them', async () => {
    const stored = await image(`${app.url}/sample/rotated.jpg`, { accept: 'image/jpeg' });
    expect(stored.meta.orientation).toBeGreaterThan(1);
    const rotated = await image(`${app.url}/tr:q-80/sample/rotated.jpg`, { accept: 'image/jpeg' });
    expect([rotated.meta.width, rotated.meta.height]).toEqual([400, 600]);
    expect(rotated.meta.orientation).toBeUndefined();
    const resized = await image(`${app.url}/tr:w-200/sample/rotated.jpg`);
    expect([resized.meta.width, resized.meta.height]).toEqual([200, 300]);
    const tagged = await image(`${app.url}/tr:w-32/test/tagged.jpg`);
    expect(tagged.meta.exif).toBeUndefined();
    expect(tagged.meta.icc).toBeUndefined();
  });

  it('HEAD answers like GET without a body', async () => {
    const url = `${app.url}/tr:w-300,h-200/sample/plant.jpg`;
    const full = await get(url);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(full.body.length));
    expect(head.headers.get('etag')).toBe(full.headers.get('etag'));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('caching headers: a year, strong ETag, Last-Modified, and 304 on If-None-Match', async () => {
    const url = `${app.url}/tr:w-64/sample/plant.jpg`;
    const first = await get(url);
    expect(first.headers.get('cache-control')).toBe('public, max-age=31536000, s-maxage=31536000');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(Date.parse(first.headers.get('last-modified')!)).not.toBeNaN();
    const again = await get(url, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('bad parameters are 400 with ik-error naming the parameter, never 500', async () => {
    for (const [tr, named] of [['w-abc', '"w"'], ['foo-1', '"foo-1"'], ['q-500', '"q"'], ['e-bgremove', '"e-bgremove"'], ['f-gif', 'f-gif']]) {
      const response = await get(`${app.url}/tr:${tr}/sample/plant.jpg`);
      expect(response.status).toBe(400);
      expect(response.headers.get('ik-error')).toMatch(/^E[A-Z]+ - /);
      expect(response.headers.get('ik-error')).toContain(named);
      expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    }
    expect((await get(`${app.url}/sample/plant.jpg?tr=w-1,zz`)).status).toBe(400);
    expect((await get(`${app.url}/sample/%E0%A4%A.jpg`)).status).toBe(400);
  });

  it('a missing asset is 404 ENOENT, in every origin of the endpoint', async () => {
    const response = await get(`${app.url}/products/tr:w-100/sample/missing.jpg`);
    expect(response.status).toBe(404);
    expect(response.headers.get('ik-error')).toMatch(/^ENOENT - /);
    expect(response.body.toString()).toBe('Not Found');
  });

  it('files that are not images are served as they are, and refuse transformations', async () => {
    const plain = await get(`${app.url}/docs/readme.txt`);
    expect([plain.status, plain.body.toString(), plain.headers.get('content-type')]).toEqual([200, 'plain text', 'text/plain']);
    const transformed = await get(`${app.url}/tr:w-10/docs/readme.txt`);
    expect(transformed.status).toBe(400);
    expect(transformed.headers.get('ik-error')).toMatch(/^EUNSUPPORTED - /);
  });

  it('SVG stays SVG under a restrictive CSP unless a raster format is asked for', async () => {
    const svg = await get(`${app.url}/test/icon.svg`);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('content-security-policy')).toContain("default-src 'none'");
    const png = await image(`${app.url}/tr:w-80,f-png/test/icon.svg`);
    expect([png.meta.format, png.meta.width, png.meta.height]).toEqual(['png', 80, 40]);
  });

  it('ik-attachment downloads under the asset name with the served extension, or the name given', async () => {
    const webp = await get(`${app.url}/sample/plant.jpg?tr=w-50&ik-attachment=true`, { accept: 'image/webp' });
    expect(webp.headers.get('content-disposition')).toBe(`attachment; filename="plant.webp"; filename*=UTF-8''plant.webp`);
    const named = await get(`${app.url}/sample/plant.jpg?ik-attachment=true&ik-attachment-filename=${encodeURIComponent('Pflanze grün.jpg')}`);
    expect(named.headers.get('content-disposition')).toBe(`attachment; filename="Pflanze gr_n.jpg"; filename*=UTF-8''Pflanze%20gr%C3%BCn.jpg`);
    expect((await get(`${app.url}/sample/plant.jpg?tr=w-50`)).headers.get('content-disposition')).toBeNull();
  });

  it('every response says nosniff and carries a request id', async () => {
    for (const url of [`${app.url}/sample/plant.jpg`, `${app.url}/missing.jpg`, `${app.url}/tr:x-/a.jpg`]) {
      const response = await get(url);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
