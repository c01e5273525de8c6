import sharp from 'sharp';
import { IkError } from '../../shared/http/errors';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { canonicalTransformation } from '../../shared/transform/grammar/print';
import { render, type RenderOptions } from '../../shared/transform/render';

Object.assign(process.env, { PRIVATE_API_KEY: 'private_unit_layer_modes_key', STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' });

/** 40x40: an opaque black 20x20 square in the middle of a transparent square, the layer image `mask.png`. */
const mask = () =>
  sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([{ input: { create: { width: 20, height: 20, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 1 } } }, left: 10, top: 10 }])
    .png()
    .toBuffer();

/** 40x40 mid grey, opaque, the layer image `grey.png`. */
const grey = () => sharp({ create: { width: 40, height: 40, channels: 3, background: '#808080' } }).png().toBuffer();

const layers: Record<string, () => Promise<Buffer>> = { 'mask.png': mask, 'grey.png': grey };
const options: RenderOptions = { accept: '', autoAvif: false, defaultQuality: 80, maxInputPixels: 100_000_000, loadLayer: (path) => layers[path]() };

/** A 100x100 base of one colour with the transformation applied, decoded to RGBA. */
async function rendered(transformation: string, background = '#ffcc00') {
  const base = await sharp({ create: { width: 100, height: 100, channels: 3, background } }).png().toBuffer();
  const out = await render(base, parseTransformation(`${transformation}:f-png,lo-true`), options);
  if (out.kind !== 'rendered') throw new Error(`not rendered: ${out.kind}`);
  const { data, info } = await sharp(out.image.body).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return Object.assign((x: number, y: number) => [...data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4)], { width: info.width, height: info.height });
}

function refusal(text: string): string {
  try {
    parseTransformation(text);
  } catch (error) {
    if (error instanceof IkError) return `${error.status} ${error.code} ${error.message}`;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('layer alpha (al) and layer modes (lm)', () => {
  it('al on a solid colour layer draws it at al tenths of its opacity; a colour with its own opacity keeps it', async () => {
    const at = (al: string) => rendered(`l-image,i-ik_canvas,bg-000000,w-50,h-50,lx-0,ly-0${al},l-end`, '#ffffff');
    expect((await at(''))(10, 10)).toEqual([0, 0, 0, 255]);
    // 30 % black over white: 255 x 0.7.
    expect((await at(',al-3'))(10, 10)).toBeColour([179, 179, 179, 255], 3);
    expect((await at(',al-9'))(10, 10)).toBeColour([26, 26, 26, 255], 3);
    expect((await at(',al-3'))(80, 80)).toEqual([255, 255, 255, 255]);
    const ownOpacity = await rendered('l-image,i-ik_canvas,bg-00000050,w-50,h-50,lx-0,ly-0,al-2,l-end', '#ffffff');
    expect(ownOpacity(10, 10)).toBeColour([128, 128, 128, 255], 2);
  });

  it('al on a text layer fades the text and its background together', async () => {
    const solid = await rendered('l-text,i-Hi,fs-30,bg-000000,pa-20,lx-0,ly-0,l-end', '#ffffff');
    const faded = await rendered('l-text,i-Hi,fs-30,bg-000000,pa-20,lx-0,ly-0,al-5,l-end', '#ffffff');
    expect(solid(2, 2)).toEqual([0, 0, 0, 255]);
    expect(faded(2, 2)).toBeColour([128, 128, 128, 255], 2);
  });

  it('lm-multiply multiplies the base by the layer', async () => {
    const out = await rendered('l-image,i-grey.png,t-false,lx-0,ly-0,lm-multiply,l-end');
    // #ffcc00 x #808080: each channel times 128/255.
    expect(out(10, 10)).toBeColour([128, 102, 0, 255], 3);
    expect(out(70, 70)).toEqual([255, 204, 0, 255]);
  });

  it("lm-cutout punches the layer's shape out of the base; lm-cutter keeps only the base inside it, trimmed to the layer's box", async () => {
    const cutout = await rendered('l-image,i-mask.png,t-false,lx-0,ly-0,lm-cutout,l-end');
    expect(cutout.width).toBe(100);
    expect(cutout(20, 20)[3]).toBe(0);
    expect(cutout(5, 5)).toEqual([255, 204, 0, 255]);
    expect(cutout(70, 70)).toEqual([255, 204, 0, 255]);
    const cutter = await rendered('l-image,i-mask.png,t-false,lx-30,ly-30,lm-cutter,l-end');
    expect([cutter.width, cutter.height]).toEqual([40, 40]);
    expect(cutter(20, 20)).toEqual([255, 204, 0, 255]);
    expect(cutter(5, 5)[3]).toBe(0);
  });

  it("lm-displace moves base pixels by the map's red (x) and green (y) channels, scaled by the layer's x and y", async () => {
    // Base: left half red, right half blue. Map: red channel 255 (move the full x to the right), green 128 (no move).
    layers['shift.png'] = () => sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 255, g: 128, b: 0 } } }).png().toBuffer();
    const base = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#ff0000' } })
      .composite([{ input: { create: { width: 50, height: 100, channels: 3, background: '#0000ff' } }, left: 50, top: 0 }])
      .png()
      .toBuffer();
    const out = await render(base, parseTransformation('l-image,i-shift.png,t-false,x-10,lx-35,ly-0,lm-displace,l-end:f-png,lo-true'), options);
    if (out.kind !== 'rendered') throw new Error(`not rendered: ${out.kind}`);
    const { data } = await sharp(out.image.body).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...data.subarray((y * 100 + x) * 4, (y * 100 + x) * 4 + 4)];
    // Pixels 35-54 of the top rows read 10 px to their right: from x 40 on they show the blue half.
    expect(at(36, 5)).toEqual([255, 0, 0, 255]);
    expect(at(41, 5)).toEqual([0, 0, 255, 255]);
    // Below the map and outside it nothing moves; the map itself is not drawn.
    expect(at(41, 50)).toEqual([255, 0, 0, 255]);
    expect(at(30, 5)).toEqual([255, 0, 0, 255]);
    await expect(render(base, parseTransformation('l-image,i-shift.png,lm-displace,l-end'), options)).rejects.toThrow(/"lm-displace" needs the displacement magnitude/);
  });

  it('keeps al and lm in the canonical form and refuses what they cannot do, naming the parameter', () => {
    expect(canonicalTransformation(parseTransformation('l-image,i-a.png,lm-multiply,l-end'))).toBe('l-image,i-a.png,lm-multiply,l-end');
    expect(canonicalTransformation(parseTransformation('l-text,i-Hi,al-4,l-end'))).toBe('l-text,i-Hi,al-4,l-end');
    expect(refusal('l-image,i-a.png,lm-screen,l-end')).toMatch(/^400 EBADPARAM .*"lm"/);
    expect(refusal('l-text,i-Hi,al-10,l-end')).toMatch(/^400 EBADPARAM .*"al"/);
    expect(refusal('l-image,i-a.png,al-5,l-end')).toMatch(/^400 EBADPARAM Parameter "al" is only allowed in text and solid colour/);
  });
});
