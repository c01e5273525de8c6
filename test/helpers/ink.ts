import sharp from 'sharp';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { render, type RenderOptions } from '../../shared/transform/render';

/**
 * Dark pixels and the right edge of the ink when `tr` (a text layer and its chain) is drawn on a white 800x120
 * image, as PNG.
 */
export async function inkOf(tr: string, options: RenderOptions): Promise<{ ink: number; right: number }> {
  const white = await sharp({ create: { width: 800, height: 120, channels: 3, background: '#ffffff' } }).png().toBuffer();
  const out = await render(white, parseTransformation(`${tr}:f-png,lo-true`), options);
  if (out.kind !== 'rendered') throw new Error(`not rendered: ${out.kind}`);
  const { data, info } = await sharp(out.image.body).greyscale().raw().toBuffer({ resolveWithObject: true });
  let ink = 0;
  let right = -1;
  for (let i = 0; i < data.length; i++) {
    if (data[i] < 128) {
      ink++;
      right = Math.max(right, i % info.width);
    }
  }
  return { ink, right };
}
