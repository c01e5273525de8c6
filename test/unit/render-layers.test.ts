import fs from 'node:fs';
import sharp from 'sharp';
import { near } from '../helpers/colour';
import { animatedGif, BLUE, GREEN, RED, WHITE } from '../helpers/pictures';
import { renderer } from '../helpers/render';

Object.assign(process.env, { PRIVATE_API_KEY: 'private_unit_render_layers_key', STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' });

describe('render: conditionals and layers', () => {
  let draw: ReturnType<typeof renderer>;

  beforeAll(async () => {
    const grey = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#808080' } }).png().toBuffer();
    const solid = (width: number, height: number, background: string) => sharp({ create: { width, height, channels: 3, background } });
    // 60x40: a 40x20 red block inside a 10 px white frame, which the default trim of image layers removes.
    const logo = await solid(60, 40, '#ffffff')
      .composite([{ input: { create: { width: 40, height: 20, channels: 3, background: '#ff0000' } }, left: 10, top: 10 }])
      .png()
      .toBuffer();
    draw = renderer({
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

  it.each([
    ['plant.png', 100],
    ['small.png', 50],
  ])('if-w_gt_500,w-100,if-else,w-50,if-end on %s gives width %d', async (name, width) => {
    const { meta } = await draw.image(name, 'if-w_gt_500,w-100,if-else,w-50,if-end');
    expect(meta.width).toBe(width);
  });

  it('a condition sees the size the previous step left, and iw the original', async () => {
    expect((await draw.image('plant.png', 'w-400:if-w_gt_500,w-100,if-else,w-50,if-end')).meta.width).toBe(50);
    expect((await draw.image('plant.png', 'w-400:if-iw_gt_500_and_w_lt_500,w-120:h-60,if-end')).meta.height).toBe(60);
  });

  it('a malformed condition is 400 EBADPARAM, a step mixing an if-block and parameters too', async () => {
    for (const tr of ['if-w_gt_x,w-5,if-end', 'h-10,if-w_gt_1,w-5,if-end']) {
      expect((await draw.refusal('plant.png', tr)).slice(0, 2)).toEqual([400, 'EBADPARAM']);
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
    const { meta, rgba } = await draw.image('white.png', `l-image,i-ik_canvas,bg-00FF00,w-50,h-20${position ? `,${position}` : ''},l-end,f-png`);
    expect([meta.width, meta.height]).toEqual([200, 100]);
    for (const [x, y] of green) expect(rgba(x, y)).toBeColour(GREEN);
    for (const [x, y] of white) expect(rgba(x, y)).toBeColour(WHITE);
  });

  it('a solid colour layer sized from the base (bw, bh), translucent, laid after the step\'s own resize', async () => {
    const { meta, rgba } = await draw.image('white.png', 'w-100,l-image,i-ik_canvas,bg-00FF0050,w-bw_div_2,h-bh,l-end,f-png');
    expect([meta.width, meta.height]).toEqual([100, 50]);
    expect(rgba(50, 25)).toBeColour([127, 255, 127, 255], 3);
    expect(rgba(24, 25)).toBeColour(WHITE);
    expect(rgba(76, 25)).toBeColour(WHITE);
  });

  it('an image layer (i- with @@ for /, or ie- in base64) is trimmed by default; t-false keeps its edges', async () => {
    const trimmed = await draw.image('blue.png', 'l-image,i-logos@@logo.png,lx-0,ly-0,l-end,f-png');
    expect(trimmed.rgba(1, 1)).toBeColour(RED);
    expect(trimmed.rgba(38, 18)).toBeColour(RED);
    expect(trimmed.rgba(42, 5)).toBeColour(BLUE);
    const whole = await draw.image('blue.png', 'l-image,i-logos@@logo.png,lx-0,ly-0,t-false,l-end,f-png');
    expect(whole.rgba(1, 1)).toBeColour(WHITE);
    expect(whole.rgba(15, 15)).toBeColour(RED);
    expect(whole.rgba(58, 5)).toBeColour(WHITE);
    const ie = encodeURIComponent(Buffer.from('logos/logo.png').toString('base64'));
    expect((await draw.image('blue.png', `l-image,ie-${ie},lx-0,ly-0,l-end,f-png`)).rgba(1, 1)).toBeColour(RED);
  });

  it('an image layer runs its own chain, and layers nest', async () => {
    // 40x20 trimmed, w-20 makes it 20x10, rt-90 10x20, then placed at the bottom right.
    const chained = await draw.image('blue.png', 'l-image,i-logos@@logo.png,w-20:rt-90,lfo-bottom_right,l-end,f-png');
    expect(chained.rgba(195, 85)).toBeColour(RED);
    expect(chained.rgba(188, 90)).toBeColour(BLUE);
    expect(chained.rgba(195, 78)).toBeColour(BLUE);
    const nested = await draw.image('blue.png', 'l-image,i-logos@@logo.png,lx-0,ly-0,l-image,i-ik_canvas,bg-00FF00,w-10,h-10,lfo-top_left,l-end,l-end,f-png');
    expect(nested.rgba(5, 5)).toBeColour(GREEN);
    expect(nested.rgba(15, 5)).toBeColour(RED);
    expect(nested.rgba(45, 5)).toBeColour(BLUE);
  });

  it('nesting four deep is 400 EBADPARAM', async () => {
    const deep = 'l-image,i-ik_canvas,bg-red,l-image,i-ik_canvas,bg-red,l-image,i-ik_canvas,bg-red,l-image,i-ik_canvas,bg-red,l-end,l-end,l-end,l-end';
    expect((await draw.refusal('blue.png', deep)).slice(0, 2)).toEqual([400, 'EBADPARAM']);
  });

  /** The size of a text layer's green box, measured along x = 1 and y = 1 (padding, so no glyph is in the way), and its red pixels. */
  async function greenBox(tr: string): Promise<{ width: number; height: number; red: number }> {
    const { rgba } = await draw.image('white.png', `${tr},f-png`);
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
    const marked = await draw.image('white.png', `l-text,i-${encodeURIComponent('<b>&amp;"</span>')},tg-b_i,ff-DejaVu_Serif,l-end`);
    expect(marked.meta).toMatchObject({ width: 200, height: 100 });
  });

  it('a font file by path draws the text; unknown families are 400 EUNSUPPORTED naming ff; a text-only parameter in an image layer is 400 EBADPARAM', async () => {
    const custom = await draw.image('white.png', 'l-text,i-Hi,ff-fonts@@Lobster.ttf,fs-40,l-end');
    expect(custom.meta).toMatchObject({ width: 200, height: 100 });
    expect(custom.rgba(100, 50)).not.toBeColour(WHITE);
    const [status, code, message] = await draw.refusal('white.png', 'l-text,i-Hi,ff-NoSuchFontFamily,l-end');
    expect([status, code]).toEqual([400, 'EUNSUPPORTED']);
    expect(message).toMatch(/ff-NoSuchFontFamily/);
    const misplaced = await draw.refusal('white.png', 'l-image,i-ik_canvas,bg-red,fs-10,l-end');
    expect(misplaced.slice(0, 2)).toEqual([400, 'EBADPARAM']);
    expect(misplaced[2]).toMatch(/"fs"/);
  });

  it('a layer goes on every frame of an animation, and on a JPEG', async () => {
    const gif = await draw.image('anim.gif', 'l-image,i-ik_canvas,bg-FFFFFF,w-10,h-10,lx-0,ly-0,l-end');
    expect([gif.meta.format, gif.meta.pages]).toEqual(['gif', 3]);
    expect(gif.rgba(5, 5)).toBeColour(WHITE);
    expect(gif.rgba(30, 20)).toBeColour(RED);
    const jpeg = await draw.image('white.jpg', 'l-image,i-ik_canvas,bg-00FF00,w-10,h-10,lfo-bottom_right,l-end');
    expect(jpeg.meta.format).toBe('jpeg');
    expect(jpeg.rgba(195, 95)).toBeColour(GREEN, 20);
    expect(jpeg.rgba(185, 85)).toBeColour(WHITE, 20);
  });
});
