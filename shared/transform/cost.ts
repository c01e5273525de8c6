import type { OutputFormat, Size } from './grammar/model';

/**
 * Estimated peak memory of a transformation job, in bytes, from sizes known before the pixels are computed.
 * Measured with sharp 0.34.5 / libvips 8.17 (peak RSS of one job in a fresh process, MALLOC_ARENA_MAX=2, noise
 * images as the worst case):
 * - a picture between steps is raw 8-bit pixels, at most 4 bytes a pixel (RGBA) per frame;
 * - decoding a whole image took 1.06-1.24x its raw size; a decode that resizes as it streams (JPEG shrink-on-load,
 *   a non-interlaced PNG, TIFF, WebP) about a fifth of it (a 100 MP PNG to 400 px wide: 53 MB); progressive JPEG
 *   and interlaced PNG are held whole, with every DCT coefficient (2 bytes a sample), so they count double; a whole
 *   WebP took 80 MB for 8.3 MP (2.4x its RGBA size); AVIF and HEIF, which libheif decodes whole with the AV1
 *   decoder's own frames, 142-151 MB for 8.3 MP (4.5x), resized or not;
 * - a step holds its input and output pictures, and libvips' tiles: blur and sharpen, which work in float, added
 *   under 1x the picture (libvips works tile by tile), so a step costs 3x its output picture; a step to a smaller
 *   picture is already covered by the larger one before it;
 * - encoders, per output pixel: JPEG 12 bytes (optimised Huffman coding keeps all coefficients), palette PNG 8
 *   (libimagequant's histogram), WebP 14 (RGB) to 37 (RGBA), AVIF 35-37, GIF counted as palette PNG.
 */
const FRAME_BYTES_PER_PIXEL = 4;
const STREAMED_DECODE = 0.25;
const PROGRESSIVE_DECODE = 2;
const WHOLE_DECODE: Record<string, number> = { webp: 2.5, heif: 4.5 };
const STEP_FACTOR = 3;
const ENCODE_BYTES_PER_PIXEL: Record<OutputFormat, number> = { jpeg: 13, png: 8, webp: 40, avif: 40, gif: 8 };
/** Buffers and bookkeeping that do not grow with the image (pipelines, quantiser tables). */
const FIXED = 16 * 2 ** 20;

const pictureBytes = (size: Size, frames: number) => size.width * size.height * frames * FRAME_BYTES_PER_PIXEL;

export interface DecodeFacts {
  /** sharp's name for the input format (jpeg, png, webp, heif, ...). */
  format: string;
  /** The image as stored: every frame that will be decoded. */
  size: Size;
  frames: number;
  /** A resize runs while decoding, so libvips streams the image instead of holding it whole. */
  streamed: boolean;
  progressive: boolean;
}

/** What a job reserves before decoding (the original's own bytes are the caller's to add, as at every stage). */
export function decodeCost(d: DecodeFacts): number {
  // libheif cannot shrink while it decodes.
  const factor = d.progressive ? PROGRESSIVE_DECODE : d.streamed && d.format !== 'heif' ? STREAMED_DECODE : (WHOLE_DECODE[d.format] ?? 1);
  return FIXED + factor * pictureBytes(d.size, d.frames);
}

/** The peak of a step drawing a picture of `size`. */
export const stepCost = (size: Size, frames: number) => FIXED + STEP_FACTOR * pictureBytes(size, frames);

/** The peak of the encode: the final picture and the encoder's own buffers. */
export const encodeCost = (size: Size, frames: number, format: OutputFormat) =>
  FIXED + pictureBytes(size, frames) + size.width * size.height * frames * ENCODE_BYTES_PER_PIXEL[format];
