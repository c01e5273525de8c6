import sharp from 'sharp';
import { startTransformApp, type TransformApp } from './transform-fixtures';

describe('conditionals and layers, decoded over HTTP', () => {
  let t: TransformApp;

  beforeAll(async () => {
    const grey = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#808080' } }).png().toBuffer();
    t = await startTransformApp({ 'plant.png': await grey(640, 865), 'small.png': await grey(300, 200) });
  });
  afterAll(() => t.close());

  it.each([
    ['plant.png', 100],
    ['small.png', 50],
  ])('if-w_gt_500,w-100,if-else,w-50,if-end on %s gives width %d', async (name, width) => {
    const { meta } = await t.image(`/tr:if-w_gt_500,w-100,if-else,w-50,if-end/${name}`);
    expect(meta.width).toBe(width);
  });

  it('a condition sees the size the previous step left, and iw the original', async () => {
    expect((await t.image('/tr:w-400:if-w_gt_500,w-100,if-else,w-50,if-end/plant.png')).meta.width).toBe(50);
    expect((await t.image('/tr:w-400:if-iw_gt_500_and_w_lt_500,w-120:h-60,if-end/plant.png')).meta.height).toBe(60);
  });

  it('a malformed condition is 400 EBADPARAM, a step mixing an if-block and parameters too', async () => {
    for (const tr of ['if-w_gt_x,w-5,if-end', 'h-10,if-w_gt_1,w-5,if-end']) {
      const response = await t.get(`/tr:${tr}/plant.png`);
      expect(response.status).toBe(400);
      expect(response.headers.get('ik-error')).toMatch(/^EBADPARAM/);
    }
  });
});
