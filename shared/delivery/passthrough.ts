import sharp from 'sharp';
import { IMAGE_TYPES } from '../http/headers';
import type { OriginObject } from '../origins/types';
import type { Step } from '../transform/grammar/model';

/** Parameters that choose which original is served, not what is done to it. */
const NO_PIXELS = new Set<string>(['di']);

/** A transformation that is to change the original: any step beyond `di-`, unless `orig-true` turns them all off. */
export function needsPixels(steps: Step[]): boolean {
  if (steps.some((step) => step.orig)) return false;
  return steps.some((step) => Object.entries(step).some(([key, value]) => value !== undefined && !NO_PIXELS.has(key)));
}

/** Origins that do not know a file's type say so with these (or say nothing). */
const GENERIC_TYPE = /^\s*((application|binary)\/octet-stream)?\s*(;|$)/i;

/** The media type an image's header shows; undefined for files sharp does not read. Reads no pixels. */
async function sniffedType(body: Buffer): Promise<string | undefined> {
  try {
    const { format, compression } = await sharp(body, { limitInputPixels: false }).metadata();
    if (format === 'heif') return compression === 'av1' ? IMAGE_TYPES.avif.contentType : 'image/heic';
    if (format === 'tiff') return 'image/tiff';
    return format && format in IMAGE_TYPES ? IMAGE_TYPES[format as keyof typeof IMAGE_TYPES].contentType : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The original's bytes as they are, never decoded (a small file declaring a huge image costs nothing). Its type is
 * the origin's, or, when the origin's is missing or generic, the one its header shows.
 */
export async function asIs(original: OriginObject): Promise<{ body: Buffer; contentType: string; negotiated: false }> {
  const declared = original.contentType ?? '';
  const contentType = GENERIC_TYPE.test(declared) ? ((await sniffedType(original.body)) ?? 'application/octet-stream') : declared;
  return { body: original.body, contentType, negotiated: false };
}
