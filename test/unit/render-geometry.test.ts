import sharp from 'sharp';
import { BLACK, BLUE, GREEN, halves, quadrants, RED, squareOnTransparent, WHITE } from '../helpers/pictures';
import { renderer } from '../helpers/render';

Object.assign(process.env, { PRIVATE_API_KEY: 'private_unit_render_geometry_key', STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' });

describe('render: resize, crop modes, focus, rotation and flips', () => {
  let draw: ReturnType<typeof renderer>;

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
    draw = renderer({
      'halves.png': await halves(),
      'quadrants.png': await quadrants(),
      'plant.jpg': plant,
      'attention.png': attention,
      'framed.png': framed,
      'square.png': await squareOnTransparent(),
    });
  });

  it('cm-pad_resize fits the whole image and pads with bg (ImageKit: w-300,h-200,cm-pad_resize,bg-F3F3F3)', async () => {
    const { meta, rgba } = await draw.image('halves.png', 'w-300,h-300,cm-pad_resize,bg-F3F3F3,f-png');
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 300, 300]);
    expect(rgba(150, 10)).toBeColour([243, 243, 243, 255]);
    expect(rgba(150, 290)).toBeColour([243, 243, 243, 255]);
    expect(rgba(10, 150)).toBeColour(RED);
    expect(rgba(290, 150)).toBeColour(BLUE);
  });

  it('bg-blurred pads with the image itself, blurred, and brightness shifts it; elsewhere it is 400', async () => {
    const { meta, rgba } = await draw.image('halves.png', 'w-100,h-100,cm-pad_resize,bg-blurred,f-png');
    expect([meta.width, meta.height]).toEqual([100, 100]);
    // Top padding: the cover-scaled image (red left, blue right) seen through the blur.
    const [r1, , b1] = rgba(10, 5);
    const [r2, , b2] = rgba(90, 5);
    expect(r1).toBeGreaterThan(b1 + 60);
    expect(b2).toBeGreaterThan(r2 + 60);
    // The image itself sits sharp in the middle.
    expect(rgba(10, 50).slice(0, 3)).toEqual([255, 0, 0]);
    const dark = await draw.image('halves.png', 'w-100,h-100,cm-pad_resize,bg-blurred_10_N255,f-png');
    expect(dark.rgba(10, 5).slice(0, 3).every((v) => v < 20)).toBe(true);
    expect((await draw.refusal('halves.png', 'w-100,bg-blurred')).slice(0, 2)).toEqual([400, 'EBADPARAM']);
  });

  it('cm-pad_resize defaults to black, and fo-left puts all padding on the right', async () => {
    const { meta, rgba } = await draw.image('halves.png', 'w-300,h-100,cm-pad_resize,fo-left,f-png');
    expect([meta.width, meta.height]).toEqual([300, 100]);
    expect(rgba(10, 50)).toBeColour(RED);
    expect(rgba(190, 50)).toBeColour(BLUE);
    expect(rgba(250, 50)).toBeColour(BLACK);
  });

  it('cm-pad_resize with an 8-digit bg: decimal opacity makes transparent padding', async () => {
    const { rgba } = await draw.image('halves.png', 'w-200,h-200,cm-pad_resize,bg-00FF0050,f-png');
    const pad = rgba(100, 10);
    expect(pad).toBeColour([0, 255, 0, 128], 3);
  });

  it('cm-pad_resize_no_enlarge pads without enlarging', async () => {
    const { meta, rgba } = await draw.image('halves.png', 'w-400,h-400,cm-pad_resize_no_enlarge,f-png');
    expect([meta.width, meta.height]).toEqual([400, 400]);
    expect(rgba(110, 200)).toBeColour(RED);
    expect(rgba(290, 200)).toBeColour(BLUE);
    expect(rgba(90, 200)).toBeColour(BLACK);
    expect(rgba(200, 140)).toBeColour(BLACK);
  });

  it.each([
    ['fo-top_right', GREEN],
    ['x-100,y-100', WHITE],
    ['xc-50,yc-150', BLUE],
    ['x-iw_div_2,y-0', GREEN],
    ['fo-bottom_left', BLUE],
  ])('cm-extract w-100,h-100 with %s cuts the right quadrant', async (position, colour) => {
    const { meta, rgba } = await draw.image('quadrants.png', `w-100,h-100,cm-extract,${position},f-png`);
    expect([meta.width, meta.height]).toEqual([100, 100]);
    for (const [x, y] of [[1, 1], [50, 50], [98, 98]]) expect(rgba(x, y)).toBeColour(colour);
  });

  it('cm-extract centred past the edge is 400', async () => {
    const [status, code, message] = await draw.refusal('quadrants.png', 'w-100,h-100,cm-extract,xc-10,yc-10');
    expect([status, code]).toEqual([400, 'EBADPARAM']);
    expect(message).toMatch(/edge/);
  });

  it('cm-pad_extract larger than the image pads it with bg (ImageKit: 600x600 at 700x700)', async () => {
    const { meta, rgba } = await draw.image('quadrants.png', 'w-300,h-300,cm-pad_extract,bg-FFFF00,f-png');
    expect([meta.width, meta.height]).toEqual([300, 300]);
    expect(rgba(10, 10)).toBeColour([255, 255, 0, 255]);
    expect(rgba(60, 60)).toBeColour(RED);
    expect(rgba(240, 240)).toBeColour(WHITE);
  });

  it('maintain_ratio crops at the focus: fo-left keeps red, fo-right keeps blue', async () => {
    const left = await draw.image('halves.png', 'w-100,h-100,fo-left,f-png');
    expect(left.rgba(95, 50)).toBeColour(RED);
    const right = await draw.image('halves.png', 'w-100,h-100,fo-right,f-png');
    expect(right.rgba(5, 50)).toBeColour(BLUE);
  });

  it('fo-auto (libvips attention) keeps the detailed patch, not the centre', async () => {
    const { meta, rgba } = await draw.image('attention.png', 'w-50,h-50,fo-auto,f-png');
    expect([meta.width, meta.height]).toEqual([50, 50]);
    expect(rgba(25, 25)[0]).toBeGreaterThan(190);
    const centred = await draw.image('attention.png', 'w-50,h-50,f-png');
    expect(centred.rgba(25, 25)).toBeColour([128, 128, 128, 255]);
  });

  it('c-maintain_ratio_no_enlarge does not enlarge: the box shrinks to what the image covers', async () => {
    const { meta, rgba } = await draw.image('halves.png', 'w-400,h-400,c-maintain_ratio_no_enlarge,f-png');
    expect([meta.width, meta.height]).toEqual([100, 100]);
    expect(rgba(10, 50)).toBeColour(RED);
    expect(rgba(90, 50)).toBeColour(BLUE);
  });

  it('arithmetic: w-iw_div_4 on 640x865 is 160x216; the documented chain adds a border of cw_mul_0.05', async () => {
    expect((await draw.image('plant.jpg', 'w-iw_div_4')).meta).toMatchObject({ width: 160, height: 216 });
    const { meta, rgba } = await draw.image('plant.jpg', 'w-iw_div_4,h-ih_div_2:b-cw_mul_0.05_yellow');
    expect([meta.width, meta.height]).toEqual([176, 449]);
    expect(rgba(0, 0)).toBeColour([255, 255, 0, 255]);
    expect(rgba(7, 200)).toBeColour([255, 255, 0, 255]);
    expect(rgba(9, 200)).toBeColour([128, 128, 128, 255]);
  });

  it('rt-90 turns clockwise, N90 counter-clockwise; rt-auto changes nothing', async () => {
    const cw = await draw.image('halves.png', 'rt-90,f-png');
    expect([cw.meta.width, cw.meta.height]).toEqual([100, 200]);
    expect(cw.rgba(50, 10)).toBeColour(RED);
    expect(cw.rgba(50, 190)).toBeColour(BLUE);
    const ccw = await draw.image('halves.png', 'rt-N90,f-png');
    expect(ccw.rgba(50, 10)).toBeColour(BLUE);
    expect((await draw.image('halves.png', 'rt-auto,f-png')).meta).toMatchObject({ width: 200, height: 100 });
  });

  it('rt-45 grows the canvas; uncovered corners are transparent in PNG and white in JPEG', async () => {
    const png = await draw.image('quadrants.png', 'rt-45,f-png');
    expect(png.meta.width).toBeGreaterThanOrEqual(282);
    expect(png.meta.height).toBe(png.meta.width);
    expect(png.rgba(2, 2)[3]).toBe(0);
    const jpg = await draw.image('quadrants.png', 'rt-45,f-jpg');
    expect(jpg.rgba(2, 2)).toBeColour(WHITE);
  });

  it('chain order matters (ImageKit: w-400,h-300:rt-90 is 300x400, rt-90:w-400,h-300 is 400x300)', async () => {
    expect((await draw.image('plant.jpg', 'w-400,h-300:rt-90')).meta).toMatchObject({ width: 300, height: 400 });
    expect((await draw.image('plant.jpg', 'rt-90:w-400,h-300')).meta).toMatchObject({ width: 400, height: 300 });
  });

  it('fl-h mirrors, fl-v flips, fl-h_v does both', async () => {
    expect((await draw.image('quadrants.png', 'fl-h,f-png')).rgba(10, 10)).toBeColour(GREEN);
    expect((await draw.image('quadrants.png', 'fl-v,f-png')).rgba(10, 10)).toBeColour(BLUE);
    expect((await draw.image('quadrants.png', 'fl-h_v,f-png')).rgba(10, 10)).toBeColour(WHITE);
  });

  it('t-true trims the uniform edges; in one step trim runs before the resize', async () => {
    const trimmed = await draw.image('framed.png', 't-true,f-png');
    expect([trimmed.meta.width, trimmed.meta.height]).toEqual([40, 20]);
    expect(trimmed.rgba(0, 0)).toBeColour(RED);
    expect((await draw.image('framed.png', 'w-20,t-true,f-png')).meta).toMatchObject({ width: 20, height: 10 });
  });

  it('bg flattens a transparent image onto the colour', async () => {
    const { meta, rgba } = await draw.image('square.png', 'bg-0000FF,f-png');
    expect(meta.hasAlpha).toBe(false);
    expect(rgba(5, 5)).toBeColour(BLUE);
    expect(rgba(50, 50)).toBeColour(RED);
  });
});
