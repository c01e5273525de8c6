import fs from 'node:fs';
import sharp from 'sharp';
import { animatedGif, near, startTransformApp, type TransformApp } from './transform-fixtures';

const WHITE = [255, 255, 255, 255];
const GREEN = [0, 255, 0, 255];
const RED = [255, 0, 0, 255];
const BLUE = [0, 0, 255, 255];

describe('conditionals and layers, decoded over HTTP', () => {
  let t: TransformApp;

  beforeAll(async () => {
    const grey = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#808080' } }).png().toBuffer();
    const solid = (width: number, height: number, background: string) => sharp({ create: { width, height, channels: 3, background } });
    // 60x40: a 40x20 red block inside a 10 px white frame, which the default trim of image layers removes.
    const logo = await solid(60, 40, '#ffffff')
      .composite([{ input: { create: { width: 40, height: 20, channels: 3, background: '#ff0000' } }, left: 10, top: 10 }])
      .png()
      .toBuffer();
    t = await startTransformApp({
      'plant.png': await grey(640, 865),
      'small.png': await grey(300, 200),
      'white.png': await solid(200, 100, '#ffffff').png().toBuffer(),
      'blue.png': await solid(200, 100, '#0000ff').png().toBuffer(),
      'logos/logo.png': logo,
      'anim.gif': await animatedGif(),
      'white.jpg': await solid(200, 100, '#ffffff').jpeg().toBuffer(),
      'fonts/Lobster.ttf': fs.readFileSync(require.resolve('@expo-google-fonts/lobster/400Regular/Lobster_400Regular.ttf')),
    });
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

  /** The 200x100 white image with a 50x20 green block placed by `position`; each pixel listed must be green or white. */
  it.each([
    ['', [[100, 50], [76, 41], [124, 59]], [[74, 50], [126, 50], [100, 38], [100, 61]]],
    ['lx-10,ly-10', [[10, 10], [59, 29]], [[9, 10], [60, 10], [10, 31]]],
    // N counts from the far edge; the missing ly is 0.
    ['lx-N10', [[140, 0], [189, 19]], [[139, 5], [191, 5], [150, 21]]],
    // Positions past the edge are clamped so the block stays inside.
    ['lx-190,ly-N500', [[150, 0], [199, 19]], [[148, 5], [160, 21]]],
    ['lfo-bottom_right', [[150, 80], [199, 99]], [[148, 90], [160, 78]]],
    ['lfo-top', [[75, 0], [124, 19]], [[73, 5], [100, 21]]],
    ['lxc-bw_div_4,lyc-bh_div_2', [[25, 40], [74, 59]], [[23, 50], [76, 50]]],
    ['lap-bottom_right,lx-10,ly-10', [[140, 70], [189, 89]], [[138, 80], [191, 91]]],
    ['lap-center,lx-N20', [[55, 40], [104, 59]], [[53, 50], [106, 50]]],
  ])('a solid colour layer at "%s"', async (position, green, white) => {
    const { meta, rgba } = await t.image(`/tr:l-image,i-ik_canvas,bg-00FF00,w-50,h-20${position ? `,${position}` : ''},l-end,f-png/white.png`);
    expect([meta.width, meta.height]).toEqual([200, 100]);
    for (const [x, y] of green) expect([x, y, near(rgba(x, y), GREEN)]).toEqual([x, y, true]);
    for (const [x, y] of white) expect([x, y, near(rgba(x, y), WHITE)]).toEqual([x, y, true]);
  });

  it('a solid colour layer sized from the base (bw, bh), translucent, laid after the step\'s own resize', async () => {
    const { meta, rgba } = await t.image('/tr:w-100,l-image,i-ik_canvas,bg-00FF0050,w-bw_div_2,h-bh,l-end,f-png/white.png');
    expect([meta.width, meta.height]).toEqual([100, 50]);
    expect(near(rgba(50, 25), [127, 255, 127, 255], 3)).toBe(true);
    expect(near(rgba(24, 25), WHITE)).toBe(true);
    expect(near(rgba(76, 25), WHITE)).toBe(true);
  });

  it('an image layer comes from the origins (@@ for /) and is trimmed by default; t-false keeps its edges', async () => {
    const trimmed = await t.image('/tr:l-image,i-logos@@logo.png,lx-0,ly-0,l-end,f-png/blue.png');
    expect(near(trimmed.rgba(1, 1), RED)).toBe(true);
    expect(near(trimmed.rgba(38, 18), RED)).toBe(true);
    expect(near(trimmed.rgba(42, 5), BLUE)).toBe(true);
    const whole = await t.image('/tr:l-image,i-logos@@logo.png,lx-0,ly-0,t-false,l-end,f-png/blue.png');
    expect(near(whole.rgba(1, 1), WHITE)).toBe(true);
    expect(near(whole.rgba(15, 15), RED)).toBe(true);
    expect(near(whole.rgba(58, 5), WHITE)).toBe(true);
    const ie = encodeURIComponent(Buffer.from('logos/logo.png').toString('base64'));
    expect(near((await t.image(`/tr:l-image,ie-${ie},lx-0,ly-0,l-end,f-png/blue.png`)).rgba(1, 1), RED)).toBe(true);
  });

  it('an image layer runs its own chain, and layers nest', async () => {
    // 40x20 trimmed, w-20 makes it 20x10, rt-90 10x20, then placed at the bottom right.
    const chained = await t.image('/tr:l-image,i-logos@@logo.png,w-20:rt-90,lfo-bottom_right,l-end,f-png/blue.png');
    expect(near(chained.rgba(195, 85), RED)).toBe(true);
    expect(near(chained.rgba(188, 90), BLUE)).toBe(true);
    expect(near(chained.rgba(195, 78), BLUE)).toBe(true);
    const nested = await t.image('/tr:l-image,i-logos@@logo.png,lx-0,ly-0,l-image,i-ik_canvas,bg-00FF00,w-10,h-10,lfo-top_left,l-end,l-end,f-png/blue.png');
    expect(near(nested.rgba(5, 5), GREEN)).toBe(true);
    expect(near(nested.rgba(15, 5), RED)).toBe(true);
    expect(near(nested.rgba(45, 5), BLUE)).toBe(true);
  });

  it('a missing layer image is 404 ENOENT naming it; nesting four deep is 400', async () => {
    const missing = await t.get('/tr:l-image,i-logos@@nothing.png,l-end/blue.png');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('ik-error')).toMatch(/^ENOENT.*logos\/nothing\.png/);
    const deep = await t.get('/tr:l-image,i-ik_canvas,bg-red,l-image,i-ik_canvas,bg-red,l-image,i-ik_canvas,bg-red,l-image,i-ik_canvas,bg-red,l-end,l-end,l-end,l-end/blue.png');
    expect(deep.status).toBe(400);
    expect(deep.headers.get('ik-error')).toMatch(/^EBADPARAM/);
  });

  /** The size of a text layer's green box, measured along x = 1 and y = 1 (padding, so no glyph is in the way), and its red pixels. */
  async function greenBox(tr: string): Promise<{ width: number; height: number; red: number }> {
    const { rgba } = await t.image(`/tr:${tr},f-png/white.png`);
    let width = 0;
    let height = 0;
    let red = 0;
    while (width < 200 && near(rgba(width, 1), GREEN)) width++;
    while (height < 100 && near(rgba(1, height), GREEN)) height++;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (near(rgba(x, y), RED, 60)) red++;
    return { width, height, red };
  }

  it('a text layer: co colours the glyphs, bg and pa the box around them, at lx/ly', async () => {
    const box = await greenBox('l-text,i-Hi,fs-40,co-FF0000,bg-00FF00,pa-10_20,lx-0,ly-0,l-end');
    expect(box.red).toBeGreaterThan(50);
    // 40 px text is 30-50 px high, plus 10 + 10 padding; the width is the glyphs plus 20 + 20.
    expect(box.height).toBeGreaterThan(45);
    expect(box.height).toBeLessThan(75);
    expect(box.width).toBeGreaterThan(60);
    const bigger = await greenBox('l-text,i-Hi,fs-60,co-FF0000,bg-00FF00,pa-10_20,lx-0,ly-0,l-end');
    expect(bigger.height).toBeGreaterThan(box.height + 15);
  });

  it('w wraps the text, lh sets the line height, ie- is base64 text, markup in the text is drawn as text', async () => {
    const oneLine = await greenBox('l-text,i-aa%20bb%20cc,fs-20,bg-00FF00,pa-5,lx-0,ly-0,l-end');
    const wrapped = await greenBox('l-text,i-aa%20bb%20cc,fs-20,bg-00FF00,pa-5,w-30,lx-0,ly-0,l-end');
    expect(wrapped.height).toBeGreaterThan(2 * oneLine.height);
    const tall = await greenBox('l-text,i-aa%20bb%20cc,fs-20,bg-00FF00,pa-5,w-30,lh-40,lx-0,ly-0,l-end');
    expect(tall.height).toBeGreaterThan(wrapped.height + 20);
    const ie = encodeURIComponent(Buffer.from('aa bb cc').toString('base64'));
    expect(await greenBox(`l-text,ie-${ie},fs-20,bg-00FF00,pa-5,lx-0,ly-0,l-end`)).toEqual(oneLine);
    const marked = await t.get(`/tr:l-text,i-${encodeURIComponent('<b>&amp;"</span>')},tg-b_i,ff-DejaVu_Serif,l-end/white.png`);
    expect(marked.status).toBe(200);
  });

  it('font files come from the origins (404 ENOENT naming a missing one); unknown families are 400 EUNSUPPORTED naming ff; a text-only parameter in an image layer is 400 EBADPARAM', async () => {
    const custom = await t.image('/tr:l-text,i-Hi,ff-fonts@@Lobster.ttf,fs-40,l-end/white.png');
    expect(custom.meta).toMatchObject({ width: 200, height: 100 });
    expect(custom.rgba(100, 50)).not.toEqual(WHITE);
    const missing = await t.get('/tr:l-text,i-Hi,ff-fonts@@Lacquer-Regular_nGqtVsBJT.ttf,l-end/white.png');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('ik-error')).toMatch(/^ENOENT.*fonts\/Lacquer-Regular_nGqtVsBJT\.ttf/);
    const escaping = await t.get('/tr:l-text,i-Hi,ff-fonts@@%2E%2E@@secret.ttf,l-end/white.png');
    expect(escaping.status).toBe(400);
    const font = await t.get('/tr:l-text,i-Hi,ff-NoSuchFontFamily,l-end/white.png');
    expect(font.status).toBe(400);
    expect(font.headers.get('ik-error')).toMatch(/^EUNSUPPORTED.*ff-NoSuchFontFamily/);
    const misplaced = await t.get('/tr:l-image,i-ik_canvas,bg-red,fs-10,l-end/white.png');
    expect(misplaced.status).toBe(400);
    expect(misplaced.headers.get('ik-error')).toMatch(/^EBADPARAM.*"fs"/);
  });

  it('a layer goes on every frame of an animation, and on a JPEG', async () => {
    const gif = await t.image('/tr:l-image,i-ik_canvas,bg-FFFFFF,w-10,h-10,lx-0,ly-0,l-end/anim.gif');
    expect([gif.meta.format, gif.meta.pages]).toEqual(['gif', 3]);
    expect(near(gif.rgba(5, 5), WHITE)).toBe(true);
    expect(near(gif.rgba(30, 20), RED)).toBe(true);
    const jpeg = await t.image('/tr:l-image,i-ik_canvas,bg-00FF00,w-10,h-10,lfo-bottom_right,l-end/white.jpg');
    expect(jpeg.meta.format).toBe('jpeg');
    expect(near(jpeg.rgba(195, 95), GREEN, 20)).toBe(true);
    expect(near(jpeg.rgba(185, 85), WHITE, 20)).toBe(true);
  });
});
