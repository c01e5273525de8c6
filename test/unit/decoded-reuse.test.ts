import sharp from 'sharp';
import { reuseDecoded } from '../../shared/cache/decoded';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import type { Picture } from '../../shared/transform/picture';
import { render, type RenderOptions } from '../../shared/transform/render';
import { photoLike } from '../../dev/sample-images';

// Settings are read on first use, after these are in place; storage is never reached here.
Object.assign(process.env, { PRIVATE_API_KEY: 'private_unit_decoded_reuse_key', STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' });

const options: RenderOptions = { accept: '', autoAvif: false, defaultQuality: 80, maxInputPixels: 100_000_000 };

/** `reuseDecoded` that counts the decodes it could not avoid. */
function counting(): { decodes: number; reuse: NonNullable<RenderOptions['reuseDecoded']> } {
  const counter = {
    decodes: 0,
    reuse: (input: Buffer, stage: string, decode: () => Promise<Picture>) =>
      reuseDecoded(input, stage, () => {
        counter.decodes++;
        return decode();
      }),
  };
  return counter;
}

async function renderWith(input: Buffer, transformation: string, reuse?: RenderOptions['reuseDecoded']) {
  const result = await render(input, parseTransformation(transformation), { ...options, reuseDecoded: reuse });
  if (result.kind !== 'rendered') throw new Error(`not rendered: ${result.kind}`);
  return result.image;
}

describe('decoded originals reused across renditions (DECODED_CACHE_MB)', () => {
  let photo: Buffer;
  beforeAll(async () => {
    photo = await (await photoLike(1200, 800, 7)).jpeg({ quality: 90 }).toBuffer();
  });

  it('renditions sharing the bytes and the first resize decode once, and equal a fresh decode byte for byte', async () => {
    const counter = counting();
    const jpeg = await renderWith(photo, 'w-300,q-70,f-jpg', counter.reuse);
    const webp = await renderWith(photo, 'w-300,f-webp', counter.reuse);
    const chained = await renderWith(photo, 'w-300:e-grayscale,f-png', counter.reuse);
    expect(counter.decodes).toBe(1);
    expect(await sharp(webp.body).metadata()).toMatchObject({ format: 'webp', width: 300, height: 200 });
    expect(await sharp(chained.body).metadata()).toMatchObject({ format: 'png', width: 300, height: 200 });

    for (const [transformation, reused] of [['w-300,q-70,f-jpg', jpeg], ['w-300,f-webp', webp], ['w-300:e-grayscale,f-png', chained]] as const) {
      const fresh = await renderWith(photo, transformation);
      expect(fresh.body.equals(reused.body)).toBe(true);
    }
  });

  it('another first resize, or other bytes at the same path, decode again', async () => {
    const counter = counting();
    await renderWith(photo, 'w-250', counter.reuse);
    await renderWith(photo, 'w-250,h-100', counter.reuse);
    expect(counter.decodes).toBe(2);

    const replaced = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#00ff00' } }).jpeg().toBuffer();
    const green = await renderWith(replaced, 'w-250', counter.reuse);
    expect(counter.decodes).toBe(3);
    const { data } = await sharp(green.body).raw().toBuffer({ resolveWithObject: true });
    expect(data[1]).toBeGreaterThan(240);
    expect(data[0]).toBeLessThan(15);
  });

  it('concurrent renditions of one original wait for a single decode', async () => {
    const counter = counting();
    const results = await Promise.all([60, 61, 62, 63, 64, 65].map((q) => renderWith(photo, `w-222,q-${q},f-jpg`, counter.reuse)));
    expect(counter.decodes).toBe(1);
    for (const result of results) expect(await sharp(result.body).metadata()).toMatchObject({ width: 222, format: 'jpeg' });
  });

  it('a decoded picture over an eighth of the memory is not kept', async () => {
    // 64 MB by default: a 2000x1500 RGB picture (9 MB), decoded whole for an effect without resize, is too big to keep.
    const large = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
      .jpeg()
      .toBuffer();
    const counter = counting();
    await renderWith(large, 'e-grayscale,f-jpg', counter.reuse);
    await renderWith(large, 'e-grayscale,f-webp', counter.reuse);
    expect(counter.decodes).toBe(2);
  });

  it('DECODED_CACHE_MB=0 keeps nothing', async () => {
    process.env.DECODED_CACHE_MB = '0';
    try {
      await jest.isolateModulesAsync(async () => {
        const isolated = (await import('../../shared/cache/decoded')) as typeof import('../../shared/cache/decoded');
        let decodes = 0;
        const decode = async () => {
          decodes++;
          return { frames: [{ data: Buffer.alloc(3), width: 1, height: 1, channels: 3 as const }] };
        };
        await isolated.reuseDecoded(photo, 'whole', decode);
        await isolated.reuseDecoded(photo, 'whole', decode);
        expect(decodes).toBe(2);
      });
    } finally {
      delete process.env.DECODED_CACHE_MB;
    }
  });
});
