import sharp from 'sharp';
import { photoLike } from '../../dev/sample-images';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { jpegQuality } from '../../shared/transform/quality';
import { render, type RenderOptions } from '../../shared/transform/render';

Object.assign(process.env, { PRIVATE_API_KEY: 'private_unit_quality_key', STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' });

const options: RenderOptions = { accept: '', autoAvif: false, defaultQuality: 80, maxInputPixels: 100_000_000 };

async function rendered(input: Buffer, transformation: string): Promise<Buffer> {
  const out = await render(input, parseTransformation(transformation), options);
  if (out.kind !== 'rendered') throw new Error(`not rendered: ${out.kind}`);
  return out.image.body;
}

let picture: sharp.Sharp;
beforeAll(async () => {
  picture = await photoLike(800, 600);
});
/** The same photo-like picture saved by libjpeg at a quality, with its default 4:2:0 chroma. */
const photo = (quality: number, progressive = false) => picture.clone().jpeg({ quality, progressive }).toBuffer();

describe('default quality never above a JPEG original’s own', () => {
  it('estimates the quality a JPEG was saved at from its quantisation tables', async () => {
    for (const q of [10, 30, 50, 75, 92]) {
      expect(jpegQuality(await photo(q))).toBe(q);
      expect(jpegQuality(await photo(q, true))).toBe(q);
    }
    expect(jpegQuality(await picture.clone().png().toBuffer())).toBeUndefined();
    expect(jpegQuality(Buffer.from([0xff, 0xd8, 0xff]))).toBeUndefined();
  });

  it('a q30 original, resized with no q, is encoded at q30, not at the default 80', async () => {
    const original = await photo(30);
    const resized = await rendered(original, 'w-760');
    expect(jpegQuality(resized)).toBe(30);
    const atDefault = await rendered(original, 'w-760,q-80');
    // Before this rule the no-q output was the q-80 one, about four times the original's bytes here; the rest of
    // the difference is 4:4:4 chroma against the original's 4:2:0.
    expect(resized.length).toBeLessThan(atDefault.length / 2);
    expect(resized.length).toBeLessThan(original.length * 1.7);
    expect(resized.equals(await rendered(original, 'w-760,q-30'))).toBe(true);
    // An explicit q is obeyed, even above the original's.
    expect(jpegQuality(await rendered(original, 'w-760,q-80'))).toBe(80);
  });

  it('WebP from a low-quality JPEG is capped the same way; other inputs and better originals get the default', async () => {
    const original = await photo(30);
    const webp = await rendered(original, 'w-760,f-webp');
    expect(webp.equals(await rendered(original, 'w-760,f-webp,q-30'))).toBe(true);
    expect(webp.length).toBeLessThan((await rendered(original, 'w-760,f-webp,q-80')).length);
    expect(jpegQuality(await rendered(await photo(95), 'w-760'))).toBe(80);
    const png = await picture.clone().png().toBuffer();
    expect(jpegQuality(await rendered(png, 'w-760,f-jpeg'))).toBe(80);
    expect((await sharp(webp).metadata()).width).toBe(760);
  });
});
