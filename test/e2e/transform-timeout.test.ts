import ImageKit from '@imagekit/nodejs';
import sharp from 'sharp';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';
import { distinctFrames } from '../helpers/pictures';
import { getBytes, ikErrorCode } from '../helpers/http';

describe('transform timeout, encode caps and frame limit', () => {
  let app: TestApp;

  const get = (path: string, headers: Record<string, string> = {}) => getBytes(`${app.url}${path}`, headers);
  const code = ikErrorCode;

  beforeAll(async () => {
    // One slot and no queue: a request right after a failed job is served only if that job gave its slot back.
    app = await startTestApp({
      TRANSFORM_TIMEOUT_SECONDS: '1',
      MAX_CONCURRENT_TRANSFORMS: '1',
      MAX_QUEUED_TRANSFORMS: '0',
      MAX_FRAMES: '50',
      MAX_AVIF_OUTPUT_PIXELS: '10000',
      MAX_WEBP_OUTPUT_PIXELS: '20000',
      AUTO_AVIF: 'true',
    });
    const client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    await serveDemoFromDefaultEndpoint(app, client);
    const photos = app.blobs.getContainerClient('photos');
    const noise = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg().toBuffer();
    await photos.getBlockBlobClient('noise.jpg').uploadData(noise);
    const still = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#336699' } }).jpeg().toBuffer();
    await photos.getBlockBlobClient('still.jpg').uploadData(still);
    await photos.getBlockBlobClient('many-frames.gif').uploadData(await distinctFrames(60));
    await photos.getBlockBlobClient('few-frames.gif').uploadData(await distinctFrames(5));
  });
  afterAll(() => app.close());

  it('a chain that runs past TRANSFORM_TIMEOUT_SECONDS in total is 503 ETIMEOUT with Retry-After and no-store; the next request is served', async () => {
    // Each blur alone may fit in the time; the whole chain shares one deadline.
    const slow = await get(`/tr:${Array.from({ length: 10 }, () => 'bl-100').join(':')}/noise.jpg`);
    expect([slow.status, code(slow), slow.headers.get('retry-after'), slow.headers.get('cache-control')]).toEqual([503, 'ETIMEOUT', '5', 'no-store']);
    expect(slow.headers.get('ik-error')).toMatch(/TRANSFORM_TIMEOUT_SECONDS \(1 s\)/);
    const next = await get('/tr:w-64/still.jpg');
    expect([next.status, (await sharp(next.body).metadata()).width]).toEqual([200, 64]);
  });

  it('an animation with more frames than MAX_FRAMES is 400 ELIMIT naming it, from the header; fewer frames are served', async () => {
    const many = await get('/tr:w-4/many-frames.gif');
    expect([many.status, code(many)]).toEqual([400, 'ELIMIT']);
    expect(many.headers.get('ik-error')).toMatch(/60 frames, more than MAX_FRAMES \(50\)/);
    const few = await get('/tr:w-4/few-frames.gif');
    expect([few.status, (await sharp(few.body, { animated: true }).metadata()).pages]).toEqual([200, 5]);
  });

  it('an explicit f-avif or f-webp over its pixel cap is 400 ELIMIT naming the setting', async () => {
    const avif = await get('/tr:w-200,f-avif/still.jpg');
    expect([avif.status, code(avif)]).toEqual([400, 'ELIMIT']);
    expect(avif.headers.get('ik-error')).toMatch(/MAX_AVIF_OUTPUT_PIXELS \(10000\)/);
    const webp = await get('/tr:w-200,f-webp/still.jpg');
    expect(webp.headers.get('ik-error')).toMatch(/^ELIMIT - .*MAX_WEBP_OUTPUT_PIXELS \(20000\)/);
    const small = await get('/tr:w-100,f-avif/still.jpg');
    expect([small.status, small.headers.get('content-type')]).toEqual([200, 'image/avif']);
  });

  it('a negotiated format over its cap falls back to the next cheaper one: AVIF, then WebP, then JPEG', async () => {
    const accept = { accept: 'image/avif,image/webp,*/*' };
    const formats: [number, string][] = [];
    for (const width of [100, 150, 200]) {
      const response = await get(`/tr:w-${width}/still.jpg`, accept);
      expect([response.status, response.headers.get('vary')]).toEqual([200, 'Accept']);
      expect((await sharp(response.body).metadata()).width).toBe(width);
      formats.push([width, response.headers.get('content-type')!]);
    }
    // 100x75 is within the AVIF cap; 150x113 over it but within WebP's; 200x150 over both.
    expect(formats).toEqual([
      [100, 'image/avif'],
      [150, 'image/webp'],
      [200, 'image/jpeg'],
    ]);
  });
});
