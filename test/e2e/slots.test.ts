import ImageKit from '@imagekit/nodejs';
import sharp from 'sharp';
import { deliveryCounters } from '../../shared/delivery/metrics';
import { startTestApp, type TestApp } from '../helpers/app';
import { startHoldingOrigin, type HoldingOrigin } from '../helpers/holding-origin';
import { getBytes, ikErrorCode } from '../helpers/http';

describe('transform slots: only decoding and encoding wait for one', () => {
  let app: TestApp;
  let origin: HoldingOrigin;
  let base: Buffer;

  const get = (path: string) => getBytes(`${app.url}${path}`);
  const code = ikErrorCode;
  const width = async (body: Buffer) => (await sharp(body).metadata()).width;

  beforeAll(async () => {
    // One slot and no queue: a transformation while the slot is taken is refused at once, which shows it is taken.
    app = await startTestApp({ MAX_CONCURRENT_TRANSFORMS: '1', MAX_QUEUED_TRANSFORMS: '0', ALLOW_PRIVATE_ORIGIN_ADDRESSES: 'true' });
    const client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    base = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#3366cc' } }).png().toBuffer();
    const layer = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#ff0000' } }).png().toBuffer();
    const png = (body: Buffer) => ({ body, type: 'image/png' });
    origin = await startHoldingOrigin(client, { 'base.png': png(base), 'layer.png': png(layer), 'slow.png': png(base) });
  });
  afterAll(async () => {
    await app.close();
    await origin.server.close();
  });

  it('while the only slot is taken, misses answer 404, hits and untransformed originals 200, and another transformation 503', async () => {
    const cached = await get('/tr:w-40/base.png');
    expect(cached.status).toBe(200);

    // Another job of this instance holds the slot for as long as the test needs.
    const running = await app.parts().limiter.admitTransform(1);
    try {
      const missing = await get('/tr:w-300/missing.png');
      expect([missing.status, code(missing)]).toEqual([404, 'ENOENT']);
      const hit = await get('/tr:w-40/base.png');
      expect([hit.status, hit.headers.get('x-rendition-cache')]).toEqual([200, 'HIT']);
      const decodes = deliveryCounters.decodes;
      const asIs = await get('/base.png');
      expect([asIs.status, asIs.body.equals(base)]).toEqual([200, true]);
      expect(deliveryCounters.decodes).toBe(decodes);
      const busy = await get('/tr:w-60/base.png');
      expect([busy.status, code(busy), busy.headers.get('retry-after'), busy.headers.get('cache-control')]).toEqual([503, 'EBUSY', '5', 'no-store']);
    } finally {
      running.release();
    }
    const after = await get('/tr:w-60/base.png');
    expect([after.status, await width(after.body)]).toEqual([200, 60]);
  });

  it('a slow original download holds no slot: other transformations run meanwhile', async () => {
    const slow = origin.hold('slow.png');
    const downloading = get('/tr:w-30/slow.png');
    await slow.requested;
    const other = await get('/tr:w-70/base.png');
    expect([other.status, await width(other.body)]).toEqual([200, 70]);
    slow.release();
    const done = await downloading;
    expect([done.status, await width(done.body)]).toEqual([200, 30]);
  });

  it('a slow image layer download holds no slot either', async () => {
    const layer = origin.hold('layer.png');
    const downloading = get('/tr:w-50,l-image,i-layer.png,l-end/base.png');
    await layer.requested;
    const other = await get('/tr:w-80/base.png');
    expect([other.status, await width(other.body)]).toEqual([200, 80]);
    layer.release();
    const done = await downloading;
    expect([done.status, await width(done.body)]).toEqual([200, 50]);
    // The layer is drawn: the red square sits in the middle of the blue image.
    const { data, info } = await sharp(done.body).raw().toBuffer({ resolveWithObject: true });
    const middle = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
    expect(data[middle]).toBeGreaterThan(200);
  });
});
