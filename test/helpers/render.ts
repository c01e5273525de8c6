import sharp from 'sharp';
import { IkError, notFound } from '../../shared/http/errors';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { render, type RenderOptions } from '../../shared/transform/render';
import { pixelAt, type Pixel } from './colour';

/** A rendition decoded: its metadata, its bytes and its RGBA pixels. */
export interface Rendered {
  meta: sharp.Metadata;
  contentType: string;
  body: Buffer;
  rgba(x: number, y: number): Pixel;
}

/**
 * The renderer as delivery calls it, without HTTP or storage: pictures by name (layer images and font files too,
 * by path), a transformation as written in a URL. Settings are read from the environment as the app reads them.
 */
export function renderer(pictures: Record<string, Buffer>) {
  const options = (accept: string): RenderOptions => ({
    accept,
    autoAvif: false,
    defaultQuality: 80,
    maxInputPixels: 100_000_000,
    loadLayer: async (path) => {
      if (!(path in pictures)) throw notFound(`The layer "${path}" was not found`);
      return pictures[path];
    },
  });

  const body = async (name: string, tr: string, accept = ''): Promise<{ body: Buffer; contentType: string }> => {
    const out = await render(pictures[name], parseTransformation(tr), options(accept));
    if (out.kind !== 'rendered') throw new Error(`${name}: ${out.kind}`);
    return out.image;
  };

  return {
    body,
    /** Renders, and decodes the result. */
    async image(name: string, tr: string, accept = ''): Promise<Rendered> {
      const out = await body(name, tr, accept);
      const meta = await sharp(out.body).metadata();
      const { data, info } = await sharp(out.body).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      return { meta, contentType: out.contentType, body: out.body, rgba: (x, y) => pixelAt(data, info.width, x, y) };
    },
    /** What the transformation is refused with: status and ik-error code, then the message. */
    async refusal(name: string, tr: string): Promise<[number, string, string]> {
      try {
        await body(name, tr);
      } catch (error) {
        if (error instanceof IkError) return [error.status, error.code, error.message];
        throw error;
      }
      throw new Error(`${name} with ${tr} was rendered, not refused`);
    },
  };
}
