import sharp from 'sharp';
import { animatedGif, BLUE, GREEN, halves, RED, squareOnTransparent, WHITE } from '../helpers/pictures';
import { renderer } from '../helpers/render';

Object.assign(process.env, { PRIVATE_API_KEY: 'private_unit_render_effects_key', STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' });

describe('render: effects and output parameters', () => {
  let draw: ReturnType<typeof renderer>;
  let photo: Buffer;

  beforeAll(async () => {
    // Smooth horizontal ramp from 100 to 150 in every channel plus a coloured band: contrast and colour effects show.
    const ramp = Buffer.alloc(100 * 60 * 3);
    for (let y = 0; y < 60; y++) for (let x = 0; x < 100; x++) for (let c = 0; c < 3; c++) ramp[(y * 100 + x) * 3 + c] = y < 30 ? 100 + Math.round(x / 2) : [200, 120, 40][c];
    photo = await sharp(ramp, { raw: { width: 100, height: 60, channels: 3 } }).png().toBuffer();
    const tagged = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
      .withMetadata({ exif: { IFD0: { Copyright: 'someone' } } })
      .withIccProfile('p3')
      .jpeg()
      .toBuffer();
    const white = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#ffffff' } }).png().toBuffer();
    draw = renderer({
      'photo.png': photo,
      'halves.png': await halves(),
      'square.png': await squareOnTransparent(),
      'white.png': white,
      'tagged.jpg': tagged,
      'anim.gif': await animatedGif(),
    });
  });

  it('e-grayscale makes every channel equal', async () => {
    const { rgba, meta } = await draw.image('photo.png', 'e-grayscale,f-png');
    expect(meta.width).toBe(100);
    for (const [x, y] of [[10, 10], [90, 10], [50, 45]]) {
      const [r, g, b] = rgba(x, y);
      expect(r).toBe(g);
      expect(g).toBe(b);
    }
    const [r, , b] = (await draw.image('photo.png', 'f-png')).rgba(50, 45);
    expect(r).not.toBe(b);
  });

  it('e-contrast stretches a 100-150 ramp to the full range', async () => {
    const stats = await sharp((await draw.body('photo.png', 'e-contrast,cm-extract,w-100,h-30,fo-top,f-png')).body).stats();
    expect(stats.channels[0].min).toBeLessThan(20);
    expect(stats.channels[0].max).toBeGreaterThan(235);
  });

  it('bl blurs the red/blue edge; e-sharpen and e-usm change edges, sharper with a larger value', async () => {
    const sharpEdge = (await draw.image('halves.png', 'f-png')).rgba(99, 50);
    expect(sharpEdge).toBeColour(RED);
    const blurred = (await draw.image('halves.png', 'bl-10,f-png')).rgba(99, 50);
    expect(blurred[0]).toBeLessThan(200);
    expect(blurred[2]).toBeGreaterThan(60);
    const plain = await sharp((await draw.body('halves.png', 'bl-4,f-png')).body).stats();
    const sharpened = await sharp((await draw.body('halves.png', 'bl-4:e-sharpen-30,f-png')).body).stats();
    const usm = await sharp((await draw.body('halves.png', 'bl-4:e-usm-2-2-2-0,f-png')).body).stats();
    expect(sharpened.sharpness).toBeGreaterThan(plain.sharpness);
    expect(usm.sharpness).toBeGreaterThan(plain.sharpness);
  });

  it('b adds a border of that colour around the image: 100x67 becomes 110x77', async () => {
    const { meta, rgba } = await draw.image('halves.png', 'w-100,h-67,b-5_FF0000,f-png');
    expect([meta.width, meta.height]).toEqual([110, 77]);
    for (const [x, y] of [[0, 0], [4, 40], [109, 76], [60, 2]]) expect(rgba(x, y)).toBeColour(RED);
    expect(rgba(100, 40)).toBeColour(BLUE);
  });

  it('r-max makes a circle: corners transparent in PNG, centre and edge middles opaque', async () => {
    const { rgba, meta } = await draw.image('white.png', 'r-max,f-png');
    expect(meta.hasAlpha).toBe(true);
    expect(rgba(1, 1)[3]).toBe(0);
    expect(rgba(98, 98)[3]).toBe(0);
    expect(rgba(50, 50)[3]).toBe(255);
    expect(rgba(50, 1)[3]).toBeGreaterThan(200);
  });

  it('r per corner rounds only the corners asked for; with bg the corners take its colour', async () => {
    const { rgba } = await draw.image('white.png', 'r-30_0_0_0,f-png');
    expect(rgba(1, 1)[3]).toBe(0);
    expect(rgba(98, 1)[3]).toBe(255);
    const filled = await draw.image('white.png', 'r-max,bg-00FF00,f-png');
    expect(filled.rgba(1, 1)).toBeColour(GREEN);
  });

  it('without f and without WebP support, rounded corners give PNG (transparency kept), not JPEG', async () => {
    const { meta } = await draw.image('tagged.jpg', 'r-max', 'image/jpeg,image/png');
    expect(meta.format).toBe('png');
  });

  it('o-50 halves alpha; with bg the result is opaque and blended', async () => {
    expect((await draw.image('white.png', 'o-50,f-png')).rgba(50, 50)[3]).toBeGreaterThanOrEqual(126);
    expect((await draw.image('white.png', 'o-50,f-png')).rgba(50, 50)[3]).toBeLessThanOrEqual(129);
    expect((await draw.image('white.png', 'o-50,bg-0000FF,f-png')).rgba(50, 50)).toBeColour([128, 128, 255, 255], 3);
  });

  it('bg with decimal opacity: 8-digit colour 50 is half transparent', async () => {
    expect((await draw.image('square.png', 'bg-FF000050,f-png')).rgba(5, 5)).toBeColour([255, 0, 0, 128], 2);
  });

  it('e-gradient: from red at the top to blue at the bottom, default direction', async () => {
    const { rgba } = await draw.image('white.png', 'e-gradient-from-red_to-blue,f-png');
    expect(rgba(50, 0)).toBeColour(RED, 12);
    expect(rgba(50, 99)).toBeColour(BLUE, 12);
    const middle = rgba(50, 50);
    expect(middle[0]).toBeGreaterThan(90);
    expect(middle[2]).toBeGreaterThan(90);
  });

  it('e-gradient ld-right runs left to right', async () => {
    const { rgba } = await draw.image('white.png', 'e-gradient-ld-right_from-red_to-blue,f-png');
    expect(rgba(0, 50)).toBeColour(RED, 12);
    expect(rgba(99, 50)).toBeColour(BLUE, 12);
  });

  it('e-shadow draws a dark copy of the opaque shape, offset by x/y percent', async () => {
    const { rgba } = await draw.image('square.png', 'e-shadow-bl-0_st-100_x-10_y-10,f-png');
    // The square covers 30-69; its shadow 40-79.
    expect(rgba(75, 75)).toBeColour([0, 0, 0, 255], 2);
    expect(rgba(50, 50)).toBeColour(RED, 2);
    expect(rgba(20, 20)[3]).toBe(0);
    expect(rgba(85, 85)[3]).toBe(0);
  });

  it('cr replaces the named colour within the tolerance, or the dominant colour, and nothing else', async () => {
    const named = await draw.image('halves.png', 'cr-00FF00_10_blue,f-png');
    expect(named.rgba(150, 50)).toBeColour(GREEN);
    expect(named.rgba(50, 50)).toBeColour(RED);
    // The band (200,120,40) is the dominant colour of the ramp picture; the ramp itself is far from it.
    const dominant = await draw.image('photo.png', 'cr-white_10,f-png');
    expect(dominant.rgba(50, 45)).toBeColour(WHITE);
    expect(dominant.rgba(10, 10)).toBeColour([105, 105, 105, 255]);
    expect((await draw.refusal('halves.png', 'cr-red_101')).slice(0, 2)).toEqual([400, 'EBADPARAM']);
  });

  it('e-colorize tints toward the colour by the intensity', async () => {
    const full = (await draw.image('photo.png', 'e-colorize-co-red_in-100,f-png')).rgba(50, 10);
    expect(full[0]).toBeGreaterThan(full[1] + 30);
    const none = (await draw.image('photo.png', 'e-colorize-co-red_in-0,f-png')).rgba(50, 10);
    expect(none).toBeColour([125, 125, 125, 255], 2);
  });

  it('pr-true gives a progressive JPEG', async () => {
    expect((await draw.image('photo.png', 'pr-true,f-jpg')).meta.isProgressive).toBe(true);
    expect((await draw.image('photo.png', 'f-jpg')).meta.isProgressive).toBe(false);
  });

  it('lo-true gives lossless WebP and PNG: every pixel as in the original', async () => {
    const original = await sharp(photo).raw().toBuffer();
    for (const f of ['webp', 'png']) {
      const body = (await draw.body('photo.png', `lo-true,f-${f}`)).body;
      expect((await sharp(body).removeAlpha().raw().toBuffer()).equals(original)).toBe(true);
    }
    const lossy = (await draw.body('photo.png', 'f-webp')).body;
    expect((await sharp(lossy).removeAlpha().raw().toBuffer()).equals(original)).toBe(false);
  });

  it('md-true keeps EXIF and ICC, cp-true the ICC profile only; by default both are stripped', async () => {
    const all = (await draw.image('tagged.jpg', 'w-32,md-true')).meta;
    expect([all.width, all.height]).toEqual([32, 24]);
    expect(all.exif).toBeDefined();
    expect(all.icc).toBeDefined();
    const icc = (await draw.image('tagged.jpg', 'w-32,cp-true')).meta;
    expect(icc.icc).toBeDefined();
    expect(icc.exif).toBeUndefined();
    const none = (await draw.image('tagged.jpg', 'w-32')).meta;
    expect(none.icc).toBeUndefined();
  });

  it('an animated GIF keeps every frame and its timing through a resize and effects; f-webp keeps the animation', async () => {
    const gif = await draw.image('anim.gif', 'w-20,e-grayscale');
    expect([gif.meta.format, gif.meta.pages, gif.meta.width, gif.meta.height]).toEqual(['gif', 3, 20, 15]);
    expect(gif.meta.delay).toEqual([100, 100, 100]);
    const webp = (await draw.body('anim.gif', 'w-20,f-webp')).body;
    expect(await sharp(webp).metadata()).toMatchObject({ format: 'webp', pages: 3, width: 20, height: 15 });
    // Each frame keeps its own pixels: the second is green.
    const [r, g, b] = await sharp(webp, { page: 1 }).raw().toBuffer();
    expect([r, g, b]).toBeColour([0, 255, 0], 12);
    // A still format gets the first frame only.
    const png = await sharp((await draw.body('anim.gif', 'w-20,f-png')).body).metadata();
    expect([png.pages ?? 1, png.height]).toEqual([1, 15]);
  });
});
