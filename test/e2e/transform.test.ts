/**
 * Transformations end to end, one check per area: pictures in an AZURE_BLOB origin, requested over HTTP, the
 * responses decoded. The pixels of each parameter are checked against the renderer directly in
 * test/unit/render-*.test.ts.
 */
import sharp from 'sharp';
import { animatedGif, BLUE, halves, RED, solid } from '../helpers/pictures';
import { startTransformApp, type TransformApp } from './transform-fixtures';

describe('transformations over HTTP', () => {
  let t: TransformApp;

  beforeAll(async () => {
    // 60x40: a 40x20 red block inside a 10 px white frame, which the default trim of image layers removes.
    const logo = await solid(60, 40, '#ffffff')
      .composite([{ input: { create: { width: 40, height: 20, channels: 3, background: '#ff0000' } }, left: 10, top: 10 }])
      .png()
      .toBuffer();
    t = await startTransformApp({
      'halves.png': await halves(),
      'plant.jpg': await solid(640, 865, '#808080').jpeg().toBuffer(),
      'anim.gif': await animatedGif(),
      'blue.png': await solid(200, 100, '#0000ff').png().toBuffer(),
      'white.png': await solid(200, 100, '#ffffff').png().toBuffer(),
      'logos/logo.png': logo,
    });
  });
  afterAll(() => t.close());

  it('geometry, path form: cm-pad_resize fits the whole image and pads with bg', async () => {
    const { meta, rgba } = await t.image('/tr:w-300,h-300,cm-pad_resize,bg-F3F3F3,f-png/halves.png');
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 300, 300]);
    expect(rgba(150, 10)).toBeColour([243, 243, 243, 255]);
    expect(rgba(10, 150)).toBeColour(RED);
    expect(rgba(290, 150)).toBeColour(BLUE);
  });

  it('geometry, query form: arithmetic and a chain (w-iw_div_4,h-ih_div_2:b-cw_mul_0.05_yellow on 640x865)', async () => {
    const { meta, rgba } = await t.image('/plant.jpg?tr=w-iw_div_4,h-ih_div_2:b-cw_mul_0.05_yellow');
    expect([meta.width, meta.height]).toEqual([176, 449]);
    expect(rgba(7, 200)).toBeColour([255, 255, 0, 255]);
    expect(rgba(9, 200)).toBeColour([128, 128, 128, 255]);
  });

  it('effects and output: an animated GIF keeps every frame and its timing; f-webp keeps the animation', async () => {
    const gif = await t.image('/tr:w-20,e-grayscale/anim.gif');
    expect([gif.meta.format, gif.meta.pages, gif.meta.width, gif.meta.height]).toEqual(['gif', 3, 20, 15]);
    expect(gif.meta.delay).toEqual([100, 100, 100]);
    const webp = await t.get('/tr:w-20,f-webp/anim.gif');
    expect(webp.headers.get('content-type')).toBe('image/webp');
    expect(await sharp(webp.body).metadata()).toMatchObject({ format: 'webp', pages: 3, width: 20, height: 15 });
  });

  it('AI parameters are 400 EUNSUPPORTED naming the parameter', async () => {
    for (const tr of ['e-bgremove', 'e-upscale', 'e-genvar', 'fo-person', 'bg-genfill']) {
      const response = await t.get(`/tr:${tr}/halves.png`);
      expect(response.status).toBe(400);
      expect(response.headers.get('ik-error')).toMatch(new RegExp(`^EUNSUPPORTED - .*${tr.split('-').slice(0, 2).join('-')}`));
    }
  });

  it('layers: an image layer comes from the same origins (@@ for /), trimmed', async () => {
    const { rgba } = await t.image('/tr:l-image,i-logos@@logo.png,lx-0,ly-0,l-end,f-png/blue.png');
    expect(rgba(1, 1)).toBeColour(RED);
    expect(rgba(38, 18)).toBeColour(RED);
    expect(rgba(42, 5)).toBeColour(BLUE);
  });

  it('layers: a missing layer image or font file is 404 ENOENT naming it; a font path out of its folder is 400', async () => {
    const missing = await t.get('/tr:l-image,i-logos@@nothing.png,l-end/blue.png');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('ik-error')).toMatch(/^ENOENT.*logos\/nothing\.png/);
    const font = await t.get('/tr:l-text,i-Hi,ff-fonts@@Lacquer-Regular_nGqtVsBJT.ttf,l-end/white.png');
    expect(font.status).toBe(404);
    expect(font.headers.get('ik-error')).toMatch(/^ENOENT.*fonts\/Lacquer-Regular_nGqtVsBJT\.ttf/);
    const escaping = await t.get('/tr:l-text,i-Hi,ff-fonts@@%2E%2E@@secret.ttf,l-end/white.png');
    expect(escaping.status).toBe(400);
  });
});
