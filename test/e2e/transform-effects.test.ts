import sharp from 'sharp';
import { animatedGif, halves, near, squareOnTransparent, startTransformApp, type TransformApp } from './transform-fixtures';

describe('effects and output parameters, decoded over HTTP', () => {
  let t: TransformApp;
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
    t = await startTransformApp({
      'photo.png': photo,
      'halves.png': await halves(),
      'square.png': await squareOnTransparent(),
      'white.png': white,
      'tagged.jpg': tagged,
      'anim.gif': await animatedGif(),
    });
  });
  afterAll(() => t.close());

  it('e-grayscale makes every channel equal', async () => {
    const { rgba, meta } = await t.image('/tr:e-grayscale,f-png/photo.png');
    expect(meta.width).toBe(100);
    for (const [x, y] of [[10, 10], [90, 10], [50, 45]]) {
      const [r, g, b] = rgba(x, y);
      expect(r).toBe(g);
      expect(g).toBe(b);
    }
    const [r, , b] = (await t.image('/tr:f-png/photo.png')).rgba(50, 45);
    expect(r).not.toBe(b);
  });

  it('e-contrast stretches a 100-150 ramp to the full range', async () => {
    const response = await t.get('/tr:e-contrast,cm-extract,w-100,h-30,fo-top,f-png/photo.png');
    const stats = await sharp(response.body).stats();
    expect(stats.channels[0].min).toBeLessThan(20);
    expect(stats.channels[0].max).toBeGreaterThan(235);
  });

  it('bl blurs the red/blue edge; e-sharpen and e-usm change edges, sharper with a larger value', async () => {
    const sharpEdge = (await t.image('/tr:f-png/halves.png')).rgba(99, 50);
    expect(near(sharpEdge, [255, 0, 0, 255])).toBe(true);
    const blurred = (await t.image('/tr:bl-10,f-png/halves.png')).rgba(99, 50);
    expect(blurred[0]).toBeLessThan(200);
    expect(blurred[2]).toBeGreaterThan(60);
    const plain = await sharp((await t.get('/tr:bl-4,f-png/halves.png')).body).stats();
    const sharpened = await sharp((await t.get('/tr:bl-4:e-sharpen-30,f-png/halves.png')).body).stats();
    const usm = await sharp((await t.get('/tr:bl-4:e-usm-2-2-2-0,f-png/halves.png')).body).stats();
    expect(sharpened.sharpness).toBeGreaterThan(plain.sharpness);
    expect(usm.sharpness).toBeGreaterThan(plain.sharpness);
  });

  it('b adds a border of that colour around the image: 100x67 becomes 110x77', async () => {
    const { meta, rgba } = await t.image('/tr:w-100,h-67,b-5_FF0000,f-png/halves.png');
    expect([meta.width, meta.height]).toEqual([110, 77]);
    for (const [x, y] of [[0, 0], [4, 40], [109, 76], [60, 2]]) expect(near(rgba(x, y), [255, 0, 0, 255])).toBe(true);
    expect(near(rgba(100, 40), [0, 0, 255, 255])).toBe(true);
  });

  it('r-max makes a circle: corners transparent in PNG, centre and edge middles opaque', async () => {
    const { rgba, meta } = await t.image('/tr:r-max,f-png/white.png');
    expect(meta.hasAlpha).toBe(true);
    expect(rgba(1, 1)[3]).toBe(0);
    expect(rgba(98, 98)[3]).toBe(0);
    expect(rgba(50, 50)[3]).toBe(255);
    expect(rgba(50, 1)[3]).toBeGreaterThan(200);
  });

  it('r per corner rounds only the corners asked for; with bg the corners take its colour', async () => {
    const { rgba } = await t.image('/tr:r-30_0_0_0,f-png/white.png');
    expect(rgba(1, 1)[3]).toBe(0);
    expect(rgba(98, 1)[3]).toBe(255);
    const filled = await t.image('/tr:r-max,bg-00FF00,f-png/white.png');
    expect(near(filled.rgba(1, 1), [0, 255, 0, 255])).toBe(true);
  });

  it('without f and without WebP support, rounded corners give PNG (transparency kept), not JPEG', async () => {
    const { meta } = await t.image('/tr:r-max/tagged.jpg', { accept: 'image/jpeg,image/png' });
    expect(meta.format).toBe('png');
  });

  it('o-50 halves alpha; with bg the result is opaque and blended', async () => {
    expect((await t.image('/tr:o-50,f-png/white.png')).rgba(50, 50)[3]).toBeGreaterThanOrEqual(126);
    expect((await t.image('/tr:o-50,f-png/white.png')).rgba(50, 50)[3]).toBeLessThanOrEqual(129);
    expect(near((await t.image('/tr:o-50,bg-0000FF,f-png/white.png')).rgba(50, 50), [128, 128, 255, 255], 3)).toBe(true);
  });

  it('bg with decimal opacity: 8-digit colour 50 is half transparent', async () => {
    expect(near((await t.image('/tr:bg-FF000050,f-png/square.png')).rgba(5, 5), [255, 0, 0, 128], 2)).toBe(true);
  });

  it('e-gradient: from red at the top to blue at the bottom, default direction', async () => {
    const { rgba } = await t.image('/tr:e-gradient-from-red_to-blue,f-png/white.png');
    expect(near(rgba(50, 0), [255, 0, 0, 255], 12)).toBe(true);
    expect(near(rgba(50, 99), [0, 0, 255, 255], 12)).toBe(true);
    const middle = rgba(50, 50);
    expect(middle[0]).toBeGreaterThan(90);
    expect(middle[2]).toBeGreaterThan(90);
  });

  it('e-gradient ld-right runs left to right', async () => {
    const { rgba } = await t.image('/tr:e-gradient-ld-right_from-red_to-blue,f-png/white.png');
    expect(near(rgba(0, 50), [255, 0, 0, 255], 12)).toBe(true);
    expect(near(rgba(99, 50), [0, 0, 255, 255], 12)).toBe(true);
  });

  it('e-shadow draws a dark copy of the opaque shape, offset by x/y percent', async () => {
    const { rgba } = await t.image('/tr:e-shadow-bl-0_st-100_x-10_y-10,f-png/square.png');
    // The square covers 30-69; its shadow 40-79.
    expect(near(rgba(75, 75), [0, 0, 0, 255], 2)).toBe(true);
    expect(near(rgba(50, 50), [255, 0, 0, 255], 2)).toBe(true);
    expect(rgba(20, 20)[3]).toBe(0);
    expect(rgba(85, 85)[3]).toBe(0);
  });

  it('cr replaces the named colour within the tolerance, or the dominant colour, and nothing else', async () => {
    const named = await t.image('/tr:cr-00FF00_10_blue,f-png/halves.png');
    expect(near(named.rgba(150, 50), [0, 255, 0, 255])).toBe(true);
    expect(near(named.rgba(50, 50), [255, 0, 0, 255])).toBe(true);
    // The band (200,120,40) is the dominant colour of the ramp picture; the ramp itself is far from it.
    const dominant = await t.image('/tr:cr-white_10,f-png/photo.png');
    expect(near(dominant.rgba(50, 45), [255, 255, 255, 255])).toBe(true);
    expect(near(dominant.rgba(10, 10), [105, 105, 105, 255])).toBe(true);
    const refused = await t.get('/tr:cr-red_101/halves.png');
    expect([refused.status, refused.headers.get('ik-error')?.split(' - ')[0]]).toEqual([400, 'EBADPARAM']);
  });

  it('e-colorize tints toward the colour by the intensity', async () => {
    const full = (await t.image('/tr:e-colorize-co-red_in-100,f-png/photo.png')).rgba(50, 10);
    expect(full[0]).toBeGreaterThan(full[1] + 30);
    const none = (await t.image('/tr:e-colorize-co-red_in-0,f-png/photo.png')).rgba(50, 10);
    expect(near(none, [125, 125, 125, 255], 2)).toBe(true);
  });

  it('pr-true gives a progressive JPEG', async () => {
    expect((await t.image('/tr:pr-true,f-jpg/photo.png')).meta.isProgressive).toBe(true);
    expect((await t.image('/tr:f-jpg/photo.png')).meta.isProgressive).toBe(false);
  });

  it('lo-true gives lossless WebP and PNG: every pixel as in the original', async () => {
    const original = await sharp(photo).raw().toBuffer();
    for (const f of ['webp', 'png']) {
      const body = (await t.get(`/tr:lo-true,f-${f}/photo.png`)).body;
      expect((await sharp(body).removeAlpha().raw().toBuffer()).equals(original)).toBe(true);
    }
    const lossy = (await t.get('/tr:f-webp/photo.png')).body;
    expect((await sharp(lossy).removeAlpha().raw().toBuffer()).equals(original)).toBe(false);
  });

  it('md-true keeps EXIF and ICC, cp-true the ICC profile only; by default both are stripped', async () => {
    const all = (await t.image('/tr:w-32,md-true/tagged.jpg')).meta;
    expect([all.width, all.height]).toEqual([32, 24]);
    expect(all.exif).toBeDefined();
    expect(all.icc).toBeDefined();
    const icc = (await t.image('/tr:w-32,cp-true/tagged.jpg')).meta;
    expect(icc.icc).toBeDefined();
    expect(icc.exif).toBeUndefined();
    const none = (await t.image('/tr:w-32/tagged.jpg')).meta;
    expect(none.icc).toBeUndefined();
  });

  it('an animated GIF keeps every frame and its timing through a resize and effects; f-webp keeps the animation', async () => {
    const gif = await t.image('/tr:w-20,e-grayscale/anim.gif');
    expect([gif.meta.format, gif.meta.pages, gif.meta.width, gif.meta.height]).toEqual(['gif', 3, 20, 15]);
    expect(gif.meta.delay).toEqual([100, 100, 100]);
    const webp = (await t.get('/tr:w-20,f-webp/anim.gif')).body;
    expect(await sharp(webp).metadata()).toMatchObject({ format: 'webp', pages: 3, width: 20, height: 15 });
    // Each frame keeps its own pixels: the second is green.
    const [r, g, b] = await sharp(webp, { page: 1 }).raw().toBuffer();
    expect(near([r, g, b], [0, 255, 0], 12)).toBe(true);
    // A still format gets the first frame only.
    const png = await sharp((await t.get('/tr:w-20,f-png/anim.gif')).body).metadata();
    expect([png.pages ?? 1, png.height]).toEqual([1, 15]);
  });

  it('AI parameters are 400 EUNSUPPORTED naming the parameter', async () => {
    for (const tr of ['e-bgremove', 'e-upscale', 'e-genvar', 'fo-person', 'bg-genfill']) {
      const response = await t.get(`/tr:${tr}/photo.png`);
      expect(response.status).toBe(400);
      expect(response.headers.get('ik-error')).toMatch(new RegExp(`^EUNSUPPORTED - .*${tr.split('-').slice(0, 2).join('-')}`));
    }
  });
});
