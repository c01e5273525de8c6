import sharp from 'sharp';
import { halves, near, quadrants, squareOnTransparent, startTransformApp, type TransformApp } from './transform-fixtures';

const RED = [255, 0, 0, 255];
const GREEN = [0, 255, 0, 255];
const BLUE = [0, 0, 255, 255];
const WHITE = [255, 255, 255, 255];
const BLACK = [0, 0, 0, 255];

describe('resize, crop modes, focus, rotation and flips, decoded over HTTP', () => {
  let t: TransformApp;

  beforeAll(async () => {
    const plant = await sharp({ create: { width: 640, height: 865, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    // A detailed, saturated patch at the right of a flat grey field: what libvips attention keeps.
    const noise = Buffer.alloc(50 * 50 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = i % 3 === 0 ? 200 + ((i * 7919) % 56) : (i * 104729) % 90;
    const attention = await sharp({ create: { width: 200, height: 50, channels: 3, background: '#808080' } })
      .composite([{ input: noise, raw: { width: 50, height: 50, channels: 3 }, left: 150, top: 0 }])
      .removeAlpha()
      .png()
      .toBuffer();
    const framed = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#ffffff' } })
      .composite([{ input: { create: { width: 40, height: 20, channels: 3, background: '#ff0000' } }, left: 30, top: 40 }])
      .removeAlpha()
      .png()
      .toBuffer();
    t = await startTransformApp({
      'halves.png': await halves(),
      'quadrants.png': await quadrants(),
      'plant.jpg': plant,
      'attention.png': attention,
      'framed.png': framed,
      'square.png': await squareOnTransparent(),
    });
  });
  afterAll(() => t.close());

  it('cm-pad_resize fits the whole image and pads with bg (ImageKit: w-300,h-200,cm-pad_resize,bg-F3F3F3)', async () => {
    const { meta, rgba } = await t.image('/tr:w-300,h-300,cm-pad_resize,bg-F3F3F3,f-png/halves.png');
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 300, 300]);
    expect(near(rgba(150, 10), [243, 243, 243, 255])).toBe(true);
    expect(near(rgba(150, 290), [243, 243, 243, 255])).toBe(true);
    expect(near(rgba(10, 150), RED)).toBe(true);
    expect(near(rgba(290, 150), BLUE)).toBe(true);
  });

  it('bg-blurred pads with the image itself, blurred, and brightness shifts it; elsewhere it is 400', async () => {
    const { meta, rgba } = await t.image('/tr:w-100,h-100,cm-pad_resize,bg-blurred,f-png/halves.png');
    expect([meta.width, meta.height]).toEqual([100, 100]);
    // Top padding: the cover-scaled image (red left, blue right) seen through the blur.
    const [r1, , b1] = rgba(10, 5);
    const [r2, , b2] = rgba(90, 5);
    expect(r1).toBeGreaterThan(b1 + 60);
    expect(b2).toBeGreaterThan(r2 + 60);
    // The image itself sits sharp in the middle.
    expect(rgba(10, 50).slice(0, 3)).toEqual([255, 0, 0]);
    const dark = await t.image('/tr:w-100,h-100,cm-pad_resize,bg-blurred_10_N255,f-png/halves.png');
    expect(dark.rgba(10, 5).slice(0, 3).every((v) => v < 20)).toBe(true);
    expect((await t.get('/tr:w-100,bg-blurred/halves.png')).status).toBe(400);
  });

  it('cm-pad_resize defaults to black, and fo-left puts all padding on the right', async () => {
    const { meta, rgba } = await t.image('/tr:w-300,h-100,cm-pad_resize,fo-left,f-png/halves.png');
    expect([meta.width, meta.height]).toEqual([300, 100]);
    expect(near(rgba(10, 50), RED)).toBe(true);
    expect(near(rgba(190, 50), BLUE)).toBe(true);
    expect(near(rgba(250, 50), BLACK)).toBe(true);
  });

  it('cm-pad_resize with an 8-digit bg: decimal opacity makes transparent padding', async () => {
    const { rgba } = await t.image('/tr:w-200,h-200,cm-pad_resize,bg-00FF0050,f-png/halves.png');
    const pad = rgba(100, 10);
    expect(near(pad, [0, 255, 0, 128], 3)).toBe(true);
  });

  it('cm-pad_resize_no_enlarge pads without enlarging', async () => {
    const { meta, rgba } = await t.image('/tr:w-400,h-400,cm-pad_resize_no_enlarge,f-png/halves.png');
    expect([meta.width, meta.height]).toEqual([400, 400]);
    expect(near(rgba(110, 200), RED)).toBe(true);
    expect(near(rgba(290, 200), BLUE)).toBe(true);
    expect(near(rgba(90, 200), BLACK)).toBe(true);
    expect(near(rgba(200, 140), BLACK)).toBe(true);
  });

  it.each([
    ['fo-top_right', GREEN],
    ['x-100,y-100', WHITE],
    ['xc-50,yc-150', BLUE],
    ['x-iw_div_2,y-0', GREEN],
    ['fo-bottom_left', BLUE],
  ])('cm-extract w-100,h-100 with %s cuts the right quadrant', async (position, colour) => {
    const { meta, rgba } = await t.image(`/tr:w-100,h-100,cm-extract,${position},f-png/quadrants.png`);
    expect([meta.width, meta.height]).toEqual([100, 100]);
    for (const [x, y] of [[1, 1], [50, 50], [98, 98]]) expect(near(rgba(x, y), colour)).toBe(true);
  });

  it('cm-extract centred past the edge is 400', async () => {
    const response = await t.get('/tr:w-100,h-100,cm-extract,xc-10,yc-10/quadrants.png');
    expect(response.status).toBe(400);
    expect(response.headers.get('ik-error')).toMatch(/^EBADPARAM - .*edge/);
  });

  it('cm-pad_extract larger than the image pads it with bg (ImageKit: 600x600 at 700x700)', async () => {
    const { meta, rgba } = await t.image('/tr:w-300,h-300,cm-pad_extract,bg-FFFF00,f-png/quadrants.png');
    expect([meta.width, meta.height]).toEqual([300, 300]);
    expect(near(rgba(10, 10), [255, 255, 0, 255])).toBe(true);
    expect(near(rgba(60, 60), RED)).toBe(true);
    expect(near(rgba(240, 240), WHITE)).toBe(true);
  });

  it('maintain_ratio crops at the focus: fo-left keeps red, fo-right keeps blue', async () => {
    const left = await t.image('/tr:w-100,h-100,fo-left,f-png/halves.png');
    expect(near(left.rgba(95, 50), RED)).toBe(true);
    const right = await t.image('/tr:w-100,h-100,fo-right,f-png/halves.png');
    expect(near(right.rgba(5, 50), BLUE)).toBe(true);
  });

  it('fo-auto (libvips attention) keeps the detailed patch, not the centre', async () => {
    const { meta, rgba } = await t.image('/tr:w-50,h-50,fo-auto,f-png/attention.png');
    expect([meta.width, meta.height]).toEqual([50, 50]);
    expect(rgba(25, 25)[0]).toBeGreaterThan(190);
    const centred = await t.image('/tr:w-50,h-50,f-png/attention.png');
    expect(near(centred.rgba(25, 25), [128, 128, 128, 255])).toBe(true);
  });

  it('c-maintain_ratio_no_enlarge does not enlarge: the box shrinks to what the image covers', async () => {
    const { meta, rgba } = await t.image('/tr:w-400,h-400,c-maintain_ratio_no_enlarge,f-png/halves.png');
    expect([meta.width, meta.height]).toEqual([100, 100]);
    expect(near(rgba(10, 50), RED)).toBe(true);
    expect(near(rgba(90, 50), BLUE)).toBe(true);
  });

  it('arithmetic: w-iw_div_4 on 640x865 is 160x216; the documented chain adds a border of cw_mul_0.05', async () => {
    expect((await t.image('/tr:w-iw_div_4/plant.jpg')).meta).toMatchObject({ width: 160, height: 216 });
    const { meta, rgba } = await t.image('/plant.jpg?tr=w-iw_div_4,h-ih_div_2:b-cw_mul_0.05_yellow');
    expect([meta.width, meta.height]).toEqual([176, 449]);
    expect(near(rgba(0, 0), [255, 255, 0, 255])).toBe(true);
    expect(near(rgba(7, 200), [255, 255, 0, 255])).toBe(true);
    expect(near(rgba(9, 200), [128, 128, 128, 255])).toBe(true);
  });

  it('rt-90 turns clockwise, N90 counter-clockwise; rt-auto changes nothing', async () => {
    const cw = await t.image('/tr:rt-90,f-png/halves.png');
    expect([cw.meta.width, cw.meta.height]).toEqual([100, 200]);
    expect(near(cw.rgba(50, 10), RED)).toBe(true);
    expect(near(cw.rgba(50, 190), BLUE)).toBe(true);
    const ccw = await t.image('/tr:rt-N90,f-png/halves.png');
    expect(near(ccw.rgba(50, 10), BLUE)).toBe(true);
    expect((await t.image('/tr:rt-auto,f-png/halves.png')).meta).toMatchObject({ width: 200, height: 100 });
  });

  it('rt-45 grows the canvas; uncovered corners are transparent in PNG and white in JPEG', async () => {
    const png = await t.image('/tr:rt-45,f-png/quadrants.png');
    expect(png.meta.width).toBeGreaterThanOrEqual(282);
    expect(png.meta.height).toBe(png.meta.width);
    expect(png.rgba(2, 2)[3]).toBe(0);
    const jpg = await t.image('/tr:rt-45,f-jpg/quadrants.png');
    expect(near(jpg.rgba(2, 2), WHITE)).toBe(true);
  });

  it('chain order matters (ImageKit: w-400,h-300:rt-90 is 300x400, rt-90:w-400,h-300 is 400x300)', async () => {
    expect((await t.image('/tr:w-400,h-300:rt-90/plant.jpg')).meta).toMatchObject({ width: 300, height: 400 });
    expect((await t.image('/tr:rt-90:w-400,h-300/plant.jpg')).meta).toMatchObject({ width: 400, height: 300 });
  });

  it('fl-h mirrors, fl-v flips, fl-h_v does both', async () => {
    expect(near((await t.image('/tr:fl-h,f-png/quadrants.png')).rgba(10, 10), GREEN)).toBe(true);
    expect(near((await t.image('/tr:fl-v,f-png/quadrants.png')).rgba(10, 10), BLUE)).toBe(true);
    expect(near((await t.image('/tr:fl-h_v,f-png/quadrants.png')).rgba(10, 10), WHITE)).toBe(true);
  });

  it('t-true trims the uniform edges; in one step trim runs before the resize', async () => {
    const trimmed = await t.image('/tr:t-true,f-png/framed.png');
    expect([trimmed.meta.width, trimmed.meta.height]).toEqual([40, 20]);
    expect(near(trimmed.rgba(0, 0), RED)).toBe(true);
    expect((await t.image('/tr:w-20,t-true,f-png/framed.png')).meta).toMatchObject({ width: 20, height: 10 });
  });

  it('bg flattens a transparent image onto the colour', async () => {
    const { meta, rgba } = await t.image('/tr:bg-0000FF,f-png/square.png');
    expect(meta.hasAlpha).toBe(false);
    expect(near(rgba(5, 5), BLUE)).toBe(true);
    expect(near(rgba(50, 50), RED)).toBe(true);
  });
});
