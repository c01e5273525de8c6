import ImageKit from '@imagekit/nodejs';
import { deflateSync, crc32 } from 'node:zlib';
import { deliveryCounters } from '../../shared/delivery/metrics';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';
import { getBytes, ikErrorCode } from '../helpers/http';

/** A PNG of a few hundred bytes whose header declares width x height: a decompression bomb if decoded. */
function bombPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'ascii'), data])));
    return Buffer.concat([length, Buffer.from(type, 'ascii'), data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  const firstRow = deflateSync(Buffer.alloc(1 + width * 3));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', firstRow), chunk('IEND', Buffer.alloc(0))]);
}

const HOSTILE_SVG = `<?xml version="1.0"?>
<!DOCTYPE svg>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="20" onload="alert(1)">
  <script>alert(2)</script>
  <style>@import url(https://tracker.example/x.css);</style>
  <rect id="r" width="40" height="20" fill="red" onclick="alert(3)"/>
  <a href="javascript:alert(4)"><text x="1" y="10">link</text></a>
  <a xlink:href="https://phish.example/"><text x="1" y="15">away</text></a>
  <image href="https://tracker.example/pixel.png" width="1" height="1"/>
  <foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>
  <set attributeName="onmouseover" to="alert(5)"/>
  <rect width="1" height="1" style="fill:url(https://tracker.example/f)"/>
  <linearGradient id="g"><stop offset="0" stop-color="blue"/></linearGradient>
  <rect width="5" height="5" fill="url(#g)"/>
</svg>`;

describe('delivery security: restrictions, limits, SVG', () => {
  let app: TestApp;
  let client: ImageKit;

  const get = (url: string) => getBytes(url);
  const code = ikErrorCode;

  beforeAll(async () => {
    app = await startTestApp();
    client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    const originId = await serveDemoFromDefaultEndpoint(app, client);
    const photos = app.blobs.getContainerClient('photos');
    const svg = { blobHTTPHeaders: { blobContentType: 'image/svg+xml' } };
    await photos.getBlockBlobClient('bomb.png').uploadData(bombPng(60000, 60000), { blobHTTPHeaders: { blobContentType: 'image/png' } });
    await photos.getBlockBlobClient('hostile.svg').uploadData(Buffer.from(HOSTILE_SVG), svg);
    await photos.getBlockBlobClient('broken.svg').uploadData(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script'), svg);
    await photos.getBlockBlobClient('page.html').uploadData(Buffer.from('<script>alert(1)</script>'), { blobHTTPHeaders: { blobContentType: 'text/html' } });
    // The SDK's types do not know this server's additive endpoint fields.
    const restricted = { description: 'Named only', urlPrefix: 'named', origins: [originId], restrictUnnamedTransformations: true } as Parameters<typeof client.accounts.urlEndpoints.create>[0];
    await client.accounts.urlEndpoints.create(restricted);
    const signedOnly = { description: 'Signed only', urlPrefix: 'private', origins: [originId], restrictUnsignedUrls: true } as Parameters<typeof client.accounts.urlEndpoints.create>[0];
    await client.accounts.urlEndpoints.create(signedOnly);
  });
  afterAll(() => app.close());

  it('a ~300-byte PNG declaring 60000x60000 answers 400 ELIMIT from its header when transformed, is sent undecoded as it is, and memory stays flat', async () => {
    const before = process.memoryUsage().rss;
    const started = Date.now();
    for (let i = 0; i < 10; i++) {
      const response = await get(`${app.url}/tr:w-${100 + i}/bomb.png`);
      expect([response.status, code(response)]).toEqual([400, 'ELIMIT']);
    }
    // Served as it is, nothing is decoded: the bytes go out unchanged.
    const decodes = deliveryCounters.decodes;
    const asIs = await get(`${app.url}/bomb.png`);
    expect([asIs.status, asIs.headers.get('content-type'), asIs.body.equals(bombPng(60000, 60000))]).toEqual([200, 'image/png', true]);
    expect(deliveryCounters.decodes).toBe(decodes);
    const grownMb = (process.memoryUsage().rss - before) / 2 ** 20;
    console.log(`bomb: 11 requests in ${Date.now() - started} ms, RSS grew ${grownMb.toFixed(1)} MB`);
    // Decoding even one would need 10 GB; this bound only catches a decode, not allocator noise.
    expect(grownMb).toBeLessThan(300);
  });

  it('output sides over the format limit, output pixels and chain length answer 400 ELIMIT', async () => {
    for (const tr of ['w-20000,f-webp', 'w-60000,h-60000,c-force,f-jpg', Array(21).fill('w-100').join(':')]) {
      const response = await get(`${app.url}/tr:${tr}/sample/plant.jpg`);
      expect([tr, response.status, code(response)]).toEqual([tr, 400, 'ELIMIT']);
    }
    expect((await get(`${app.url}/tr:w-2000,f-jpg/sample/plant.jpg`)).status).toBe(200);
  });

  it('an endpoint restricted to named transformations refuses explicit ones with 400 and serves plain URLs', async () => {
    for (const url of [`${app.url}/named/tr:w-100/sample/plant.jpg`, `${app.url}/named/sample/plant.jpg?tr=w-100`]) {
      const response = await get(url);
      expect([response.status, code(response)]).toEqual([400, 'EBADPARAM']);
      expect(response.body.toString()).toContain('Bad Image Transformation Request');
    }
    expect((await get(`${app.url}/named/sample/plant.jpg`)).status).toBe(200);
    expect((await get(`${app.url}/tr:w-100/sample/plant.jpg`)).status).toBe(200);
  });

  it('an endpoint restricted to signed URLs takes SDK URLs signed for it, and caches an expiring one no longer than it lives', async () => {
    expect((await get(`${app.url}/private/sample/plant.jpg`)).status).toBe(401);
    const urlEndpoint = `${app.url}/private`;
    const forever = client.helper.buildSrc({ urlEndpoint, src: '/sample/plant.jpg', transformation: [{ width: 90 }], signed: true });
    const forEndpoint = await get(forever);
    expect([forEndpoint.status, forEndpoint.headers.get('cache-control')]).toEqual([200, 'public, max-age=31536000, s-maxage=31536000']);
    // Signed against the origin as URL endpoint, the prefix is part of what is signed: accepted too.
    const fromRoot = client.helper.buildSrc({ urlEndpoint: app.url, src: '/private/sample/plant.jpg', transformation: [{ width: 90 }], signed: true });
    expect((await get(fromRoot)).status).toBe(200);
    const expiring = await get(client.helper.buildSrc({ urlEndpoint, src: '/sample/plant.jpg', signed: true, expiresIn: 120 }));
    expect(expiring.status).toBe(200);
    const maxAge = Number(/max-age=(\d+)/.exec(expiring.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(100);
    expect(maxAge).toBeLessThanOrEqual(120);
    // A signature always counts, also on endpoints that do not require one.
    expect((await get(`${app.url}/sample/plant.jpg?ik-s=0000000000000000000000000000000000000000`)).status).toBe(401);
  });

  it('an SVG with script, handlers, foreignObject and external references is served without them, under a CSP', async () => {
    for (const url of [`${app.url}/hostile.svg`, `${app.url}/tr:orig-true/hostile.svg`]) {
      const response = await get(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/svg+xml');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const text = response.body.toString();
      for (const banned of ['<script', 'alert', 'onload', 'onclick', 'foreignObject', 'javascript:', 'tracker.example', 'phish.example', '<!DOCTYPE', '<set']) {
        expect([url, banned, text.includes(banned)]).toEqual([url, banned, false]);
      }
      expect(text).toContain('<rect id="r"');
      expect(text).toContain('fill="url(#g)"');
    }
    const broken = await get(`${app.url}/broken.svg`);
    expect([broken.status, broken.body.toString().includes('<script')]).toEqual([400, false]);
    const html = await get(`${app.url}/page.html`);
    expect([html.status, html.headers.get('content-security-policy')]).toEqual([200, expect.stringContaining('sandbox')]);
  });
});
