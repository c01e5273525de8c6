import { overLimit } from '../http/errors';
import type { OutputFormat } from '../http/headers';

/** What a transformation asks for, counted on its parsed steps (shared/transform/grammar/query.ts). */
export interface TransformationCounts {
  /** Steps as written between `:`, path and query together, layer and branch steps included. */
  steps: number;
  layers: number;
  /** Characters of the longest text-layer text. */
  longestText: number;
}

/** What a transformation may ask for (MAX_STEPS, MAX_LAYERS, MAX_TEXT_LENGTH). */
export interface TransformationLimits {
  maxSteps: number;
  maxLayers: number;
  maxTextLength: number;
}

/** Refuses a transformation with more steps, layers or text than `limits` allow: 400 ELIMIT. */
export function checkTransformationLimits(counts: TransformationCounts, limits: TransformationLimits): void {
  if (counts.steps > limits.maxSteps) throw overLimit(`The transformation has ${counts.steps} steps; at most ${limits.maxSteps} are allowed`);
  if (counts.layers > limits.maxLayers) throw overLimit(`The transformation has ${counts.layers} layers; at most ${limits.maxLayers} are allowed`);
  if (counts.longestText > limits.maxTextLength) throw overLimit(`A text layer has ${counts.longestText} characters; at most ${limits.maxTextLength} are allowed`);
}

/** What the renderer may read and write: MAX_INPUT_PIXELS, MAX_FRAMES, MAX_ANIMATED_PIXELS and the output caps. */
export interface RenderLimits {
  maxInputPixels: number;
  maxFrames: number;
  maxAnimatedPixels: number;
  maxOutputPixels: number;
  maxOutputSide: number;
  maxWebpOutputSide: number;
  maxAvifOutputPixels: number;
  maxWebpOutputPixels: number;
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
export function checkAnimation(meta: InputHeader, limits: RenderLimits): void {
  const pages = meta.pages ?? 1;
  if (pages <= 1 || !meta.width) return;
  if (pages > limits.maxFrames) throw overLimit(`The animation has ${pages} frames, more than MAX_FRAMES (${limits.maxFrames})`);
  const total = meta.width * (meta.pageHeight ?? meta.height ?? 0) * pages;
  if (total > limits.maxAnimatedPixels) throw overLimit(`The animation has ${pages} frames totalling ${total} pixels, more than ${limits.maxAnimatedPixels}`);
}

/**
 * The format to encode `size` in, within the encoders' pixel caps (MAX_AVIF_OUTPUT_PIXELS: libheif does not stop at
 * libvips' timeout; MAX_WEBP_OUTPUT_PIXELS: libwebp's memory). A format negotiated from Accept falls back to the
 * next cheaper one (AVIF, then WebP, then JPEG, or PNG for `fallback` with alpha); one asked for with `f-` is 400.
 */
export function withinEncodeCaps<C extends { format: OutputFormat; negotiated: boolean }>(choice: C, size: { width: number; height: number }, fallback: OutputFormat, limits: RenderLimits): C {
  const caps: Partial<Record<OutputFormat, [number, string]>> = { avif: [limits.maxAvifOutputPixels, 'MAX_AVIF_OUTPUT_PIXELS'], webp: [limits.maxWebpOutputPixels, 'MAX_WEBP_OUTPUT_PIXELS'] };
  const pixels = size.width * size.height;
  const cap = caps[choice.format];
  if (!cap || pixels <= cap[0]) return choice;
  if (!choice.negotiated) throw overLimit(`The output would be ${size.width}x${size.height}; ${choice.format} output is limited to ${cap[1]} (${cap[0]}) pixels`);
  return withinEncodeCaps({ ...choice, format: choice.format === 'avif' ? 'webp' : fallback }, size, fallback, limits);
}

/** WebP cannot encode a side over 16383 pixels; other formats stop at 65535. */
export function checkOutputSize(size: { width: number; height: number }, format: string, limits: RenderLimits): void {
  const maxSide = format === 'webp' ? limits.maxWebpOutputSide : limits.maxOutputSide;
  if (size.width > maxSide || size.height > maxSide) {
    throw overLimit(`The output would be ${size.width}x${size.height}; ${format} output is limited to ${maxSide} pixels a side`);
  }
  if (size.width * size.height > limits.maxOutputPixels) {
    throw overLimit(`The output would be ${size.width}x${size.height}, more than ${limits.maxOutputPixels} pixels`);
  }
}

