import ImageKit from '@imagekit/nodejs';
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../dev/azurite';
import { readOnlyContainerSas } from '../../dev/seed';
import { startTestApp, type TestApp } from '../helpers/app';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = fs.existsSync(CHROMIUM);
// In CI the browser test always runs (.ci/run installs Chromium); elsewhere it may be skipped, saying why.
if (!available && process.env.CI !== 'true') console.log(`cors-browser: skipped, no Chromium at ${CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH)`);
const describeBrowser = available || process.env.CI === 'true' ? describe : describe.skip;

/** One 160x100 JPEG, the only asset these tests need, served from the default endpoint. */
async function serveOneImage(app: TestApp): Promise<void> {
  const container = app.blobs.getContainerClient('cors');
  await container.createIfNotExists();
  const jpeg = await sharp({ create: { width: 160, height: 100, channels: 3, background: '#3366cc' } }).jpeg().toBuffer();
  await container.getBlockBlobClient('photo.jpg').uploadData(jpeg, { blobHTTPHeaders: { blobContentType: 'image/jpeg' } });
  const client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
  const sasToken = readOnlyContainerSas(AZURITE_ACCOUNT, AZURITE_KEY, 'cors');
  // `endpoint` is this server's additive field (Azurite's blob URL); the SDK's type does not know it.
  const body = { type: 'AZURE_BLOB' as const, name: 'CORS', accountName: AZURITE_ACCOUNT, container: 'cors', sasToken, endpoint: app.azurite.blobEndpoint };
  const origin = await client.accounts.origins.create(body);
  await client.accounts.urlEndpoints.update('default', { description: 'Default', origins: [origin.id] });
}

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await serveOneImage(app);
});
afterAll(() => app.close());

describe('CORS without a browser: preflight answers', () => {
  it('OPTIONS on a delivery URL is 204 with CORS headers; on the management API it is 405 without them', async () => {
    const delivery = await fetch(`${app.url}/photo.jpg?tr=w-10`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'GET' } });
    expect(delivery.status).toBe(204);
    expect(delivery.headers.get('access-control-allow-origin')).toBe('*');
    expect(delivery.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS');
    const manage = await fetch(`${app.url}/v1/accounts/origins`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'GET' } });
    expect(manage.status).toBe(405);
    expect(manage.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describeBrowser('CORS in Chromium: a page on another origin uses delivery URLs', () => {
  let page: LoopbackServer;
  let browser: Browser;
  let tab: Page;

  beforeAll(async () => {
    // The page's origin differs from the app's by port: every request from it to the app is cross-origin.
    page = await startLoopbackServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>shop</title>'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    tab = await browser.newPage();
    await tab.goto(page.url);
  });
  afterAll(async () => {
    await browser?.close();
    await page?.close();
  });
  it('an <img crossorigin> loads and a canvas can read its pixels', async () => {
    const result = await tab.evaluate(async (src: string) => {
      const img = new Image();
      img.crossOrigin = 'anonymous';
      img.src = src;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      // A tainted canvas throws SecurityError here.
      const pixel = Array.from(ctx.getImageData(5, 5, 1, 1).data);
      return { width: img.naturalWidth, pixel };
    }, `${app.url}/tr:w-120/photo.jpg`);
    expect(result.width).toBe(120);
    // The canvas reads the image's own colour, #3366cc.
    expect(result.pixel.map((v, i) => Math.abs(v - [0x33, 0x66, 0xcc, 255][i]) <= 6)).toEqual([true, true, true, true]);
  });

  it('fetch() reads images, 304s and errors with their exposed headers; Server-Timing reaches the Resource Timing API', async () => {
    const result = await tab.evaluate(async (base: string) => {
      const url = `${base}/photo.jpg?tr=w-90`;
      const first = await fetch(url);
      const bytes = (await first.arrayBuffer()).byteLength;
      const etag = first.headers.get('etag')!;
      // If-None-Match is not a safelisted header: this request needs the preflight to pass.
      const again = await fetch(url, { headers: { 'if-none-match': etag }, cache: 'no-store' });
      const bad = await fetch(`${base}/photo.jpg?tr=w-abc`);
      const entry = performance.getEntriesByName(url)[0] as PerformanceResourceTiming;
      const manage = await fetch(`${base}/v1/accounts/origins`, { headers: { authorization: 'Basic eDo=' } }).then(() => 'read', (e: Error) => e.name);
      return {
        status: first.status,
        bytes,
        cache: first.headers.get('x-rendition-cache'),
        requestId: first.headers.get('x-request-id'),
        revalidated: again.status,
        badStatus: bad.status,
        ikError: bad.headers.get('ik-error'),
        serverTiming: entry.serverTiming.map((t) => t.name),
        manage,
      };
    }, app.url);
    expect(result).toMatchObject({ status: 200, cache: 'MISS', revalidated: 304, badStatus: 400, manage: 'TypeError' });
    expect(result.bytes).toBeGreaterThan(100);
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.ikError).toMatch(/^EBADPARAM - .*"w"/);
    expect(result.serverTiming).toContain('transform');
  });
});
