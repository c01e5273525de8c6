import { overLimit } from '../http/errors';
import { settings } from '../settings';
import type { OutputFormat } from '../http/headers';

/** What a transformation asks for, counted on its parsed steps (shared/transform/grammar/query.ts). */
export interface TransformationCounts {
  /** Steps as written between `:`, path and query together, layer and branch steps included. */
  steps: number;
  layers: number;
  /** Characters of the longest text-layer text. */
  longestText: number;
}

/** Refuses a transformation with more steps, layers or text than the settings allow: 400 ELIMIT. */
export function checkTransformationLimits(counts: TransformationCounts): void {
  const s = settings();
  if (counts.steps > s.MAX_STEPS) throw overLimit(`The transformation has ${counts.steps} steps; at most ${s.MAX_STEPS} are allowed`);
  if (counts.layers > s.MAX_LAYERS) throw overLimit(`The transformation has ${counts.layers} layers; at most ${s.MAX_LAYERS} are allowed`);
  if (counts.longestText > s.MAX_TEXT_LENGTH) throw overLimit(`A text layer has ${counts.longestText} characters; at most ${s.MAX_TEXT_LENGTH} are allowed`);
}

/** What the image header says, as sharp's metadata gives it. */
export interface InputHeader {
  width?: number;
  pages?: number;
  pageHeight?: number;
  height?: number;
}

/**
 * Animated inputs cost every frame's pixels, and every step runs once per frame: refused, from the header, over
 * MAX_FRAMES frames or when their pixels sum to more than MAX_ANIMATED_PIXELS.
 */
export function checkAnimation(meta: InputHeader): void {
  const pages = meta.pages ?? 1;
  if (pages <= 1 || !meta.width) return;
  const s = settings();
  if (pages > s.MAX_FRAMES) throw overLimit(`The animation has ${pages} frames, more than MAX_FRAMES (${s.MAX_FRAMES})`);
  const total = meta.width * (meta.pageHeight ?? meta.height ?? 0) * pages;
  if (total > s.MAX_ANIMATED_PIXELS) throw overLimit(`The animation has ${pages} frames totalling ${total} pixels, more than ${s.MAX_ANIMATED_PIXELS}`);
}

/**
 * The format to encode `size` in, within the encoders' pixel caps (MAX_AVIF_OUTPUT_PIXELS: libheif does not stop at
 * libvips' timeout; MAX_WEBP_OUTPUT_PIXELS: libwebp's memory). A format negotiated from Accept falls back to the
 * next cheaper one (AVIF, then WebP, then JPEG, or PNG for `fallback` with alpha); one asked for with `f-` is 400.
 */
export function withinEncodeCaps<C extends { format: OutputFormat; negotiated: boolean }>(choice: C, size: { width: number; height: number }, fallback: OutputFormat): C {
  const s = settings();
  const caps: Partial<Record<OutputFormat, [number, string]>> = { avif: [s.MAX_AVIF_OUTPUT_PIXELS, 'MAX_AVIF_OUTPUT_PIXELS'], webp: [s.MAX_WEBP_OUTPUT_PIXELS, 'MAX_WEBP_OUTPUT_PIXELS'] };
  const pixels = size.width * size.height;
  const cap = caps[choice.format];
  if (!cap || pixels <= cap[0]) return choice;
  if (!choice.negotiated) throw overLimit(`The output would be ${size.width}x${size.height}; ${choice.format} output is limited to ${cap[1]} (${cap[0]}) pixels`);
  return withinEncodeCaps({ ...choice, format: choice.format === 'avif' ? 'webp' : fallback }, size, fallback);
}

/** WebP cannot encode a side over 16383 pixels; other formats stop at 65535. */
export function checkOutputSize(size: { width: number; height: number }, format: string): void {
  const s = settings();
  const maxSide = format === 'webp' ? s.MAX_WEBP_OUTPUT_SIDE : s.MAX_OUTPUT_SIDE;
  if (size.width > maxSide || size.height > maxSide) {
    throw overLimit(`The output would be ${size.width}x${size.height}; ${format} output is limited to ${maxSide} pixels a side`);
  }
  if (size.width * size.height > s.MAX_OUTPUT_PIXELS) {
    throw overLimit(`The output would be ${size.width}x${size.height}, more than ${s.MAX_OUTPUT_PIXELS} pixels`);
  }
}

