import sharp from 'sharp';
import { createDecodedCache } from '../../shared/cache/decoded';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { render, type DecodedOriginals } from '../../shared/transform/render';
import { photoLike } from '../../dev/sample-images';
import { renderOptions } from '../helpers/settings';

/** As the app builds it under the default DECODED_CACHE_MB (64). */
const DEFAULT_BYTES = 64 * 2 ** 20;

/** Decoded originals that always want the pixels and never keep them: every rendition takes the step by step path. */
const stepByStep: DecodedOriginals = { wanted: () => true, reuse: (_input, _stage, decode) => decode() };

/** A render() that counts the decodes it could not avoid. */
function counting(decoded: DecodedOriginals | undefined = createDecodedCache(DEFAULT_BYTES)) {
  const counter = {
    decodes: 0,
    render: async (input: Buffer, transformation: string) => {
      const result = await render(input, parseTransformation(transformation), renderOptions({ decoded, onDecode: (decode) => (counter.decodes++, decode()) }));
      if (result.kind !== 'rendered') throw new Error(`not rendered: ${result.kind}`);
      return result.image;
    },
  };
  return counter;
}

describe('decoded originals reused across renditions (DECODED_CACHE_MB)', () => {
  let photo: Buffer;
  beforeAll(async () => {
    photo = await (await photoLike(1200, 800, 7)).jpeg({ quality: 90 }).toBuffer();
  });

  it('a first rendition decodes into its encoder; the second of the same bytes and first resize keeps the pixels for the rest', async () => {
    const counter = counting();
    const variants = ['w-300,q-70,f-jpg', 'w-300,f-webp', 'w-300,f-png', 'w-300:e-grayscale,f-png'];
    const images = [];
    for (const transformation of variants) images.push(await counter.render(photo, transformation));
    expect(counter.decodes).toBe(2);
    for (const [i, image] of images.entries()) expect(await sharp(image.body).metadata()).toMatchObject({ format: ['jpeg', 'webp', 'png', 'png'][i], width: 300, height: 200 });

    for (const [i, transformation] of variants.entries()) {
      const fresh = await counting(undefined).render(photo, transformation);
      expect([transformation, fresh.body.equals(images[i].body)]).toEqual([transformation, true]);
    }
  });

  it('one pass and step by step give the same bytes, for every input and output the one pass takes', async () => {
    const plain = await (await photoLike(900, 600, 3)).jpeg({ quality: 85 }).toBuffer();
    const rotated = await (await photoLike(900, 600, 4)).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const wideGamut = await (await photoLike(900, 600, 5)).jpeg().withIccProfile('p3').toBuffer();
    const png = await (await photoLike(640, 480, 6)).png().toBuffer();
    const grey = await (await photoLike(640, 480, 8)).grayscale().jpeg().toBuffer();
    const cases: [Buffer, string][] = [
      [plain, 'w-301'],
      [plain, 'w-200,h-200,f-webp'],
      [plain, 'w-250,h-120,fo-top,pr-true,q-60'],
      [plain, 'h-77,ar-2-1,f-avif'],
      [rotated, 'w-222'],
      [wideGamut, 'w-333,f-jpg'],
      [plain, 'w-180,f-png'],
      [png, 'w-160,f-jpg'],
      [png, 'w-160,f-webp'],
      [png, 'w-160,lo-true'],
      [grey, 'w-123'],
    ];
    for (const [input, transformation] of cases) {
      const onePass = counting(createDecodedCache(0));
      const steps = counting(stepByStep);
      const [a, b] = [await onePass.render(input, transformation), await steps.render(input, transformation)];
      expect({ transformation, same: a.body.equals(b.body), type: a.contentType, size: [a.width, a.height] }).toEqual({ transformation, same: true, type: b.contentType, size: [b.width, b.height] });
    }
    const rotatedOut = await sharp((await counting(undefined).render(rotated, 'w-222')).body).metadata();
    expect([rotatedOut.width, rotatedOut.height]).toEqual([222, 333]);
  });

  it('another first resize, or other bytes at the same path, decode again', async () => {
    const counter = counting();
    await counter.render(photo, 'w-250');
    await counter.render(photo, 'w-250');
    await counter.render(photo, 'w-250,h-100');
    await counter.render(photo, 'w-250,h-100');
    expect(counter.decodes).toBe(4);
    await counter.render(photo, 'w-250,f-webp');
    await counter.render(photo, 'w-250,h-100,f-webp');
    expect(counter.decodes).toBe(4);

    const replaced = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#00ff00' } }).jpeg().toBuffer();
    const green = await counter.render(replaced, 'w-250');
    expect(counter.decodes).toBe(5);
    const { data } = await sharp(green.body).raw().toBuffer({ resolveWithObject: true });
    expect(data[1]).toBeGreaterThan(240);
    expect(data[0]).toBeLessThan(15);
  });

  it('concurrent renditions of one original after the first wait for a single decode', async () => {
    const counter = counting();
    const results = await Promise.all([60, 61, 62, 63, 64, 65].map((q) => counter.render(photo, `w-222,q-${q},f-jpg`)));
    expect(counter.decodes).toBe(2);
    for (const result of results) expect(await sharp(result.body).metadata()).toMatchObject({ width: 222, format: 'jpeg' });
  });

  it('a decoded picture over an eighth of the memory is not kept', async () => {
    // 64 MB by default: a 2000x1500 RGB picture (9 MB), decoded whole for an effect without resize, is too big to keep.
    const large = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
      .jpeg()
      .toBuffer();
    const counter = counting();
    await counter.render(large, 'e-grayscale,f-jpg');
    await counter.render(large, 'e-grayscale,f-webp');
    expect(counter.decodes).toBe(2);
  });

  it('DECODED_CACHE_MB=0 keeps nothing', async () => {
    const counter = counting(createDecodedCache(0));
    for (const transformation of ['w-300', 'w-300', 'w-300:e-grayscale', 'w-300:e-grayscale']) await counter.render(photo, transformation);
    expect(counter.decodes).toBe(4);
  });
});
