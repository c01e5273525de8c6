import sharp from 'sharp';
import { photoLike } from '../../dev/sample-images';
import { createApp } from '../../shared/app';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { testSettings } from '../helpers/settings';

/** What the renderer the app builds from `env` makes of `input`, as delivery calls it. */
async function rendered(env: Record<string, string>, input: Buffer, transformation: string) {
  const result = await createApp(testSettings(env)).renderer.render(input, parseTransformation(transformation), { accept: '' });
  if (result.kind !== 'rendered') throw new Error(`not rendered: ${result.kind}`);
  return result.image;
}

async function jpeg(env: Record<string, string>, input: Buffer, transformation: string): Promise<sharp.Metadata & { bytes: number }> {
  const image = await rendered(env, input, transformation);
  return { ...(await sharp(image.body).metadata()), bytes: image.body.length };
}

describe('JPEG_CHROMA_SUBSAMPLING (ImageKit’s chroma subsampling setting)', () => {
  let photo: Buffer;
  beforeAll(async () => {
    photo = await (await photoLike(900, 600, 11)).png().toBuffer();
  });

  it('JPEG is 4:4:4 by default and 4:2:0 with the setting on, in one pass and step by step, and smaller', async () => {
    for (const transformation of ['w-400,f-jpg', 'w-400,f-jpg:e-grayscale', 'bl-2,f-jpg']) {
      const full = await jpeg({}, photo, transformation);
      const subsampled = await jpeg({ JPEG_CHROMA_SUBSAMPLING: 'true' }, photo, transformation);
      expect([transformation, full.chromaSubsampling, subsampled.chromaSubsampling]).toEqual([transformation, '4:4:4', '4:2:0']);
      expect(subsampled.bytes).toBeLessThan(full.bytes);
    }
  });

  it('leaves other formats alone', async () => {
    const webp = await rendered({ JPEG_CHROMA_SUBSAMPLING: 'true' }, photo, 'w-300,f-webp');
    const plain = await rendered({}, photo, 'w-300,f-webp');
    expect(webp.body.equals(plain.body)).toBe(true);
  });
});
