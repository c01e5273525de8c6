import sharp, { type Sharp } from 'sharp';
import { remainingTimeout } from './deadline';

/**
 * An image between steps: decoded pixels, one buffer per animation frame (a still image has one), all of one
 * size. Every operation decodes nothing and encodes nothing, so a chain loses no quality to intermediate encodes.
 */
export interface Frame {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

export interface Picture {
  frames: Frame[];
  /** Animation timing, kept from the input. */
  delay?: number[];
  loop?: number;
}

export const frameSize = (p: Picture) => ({ width: p.frames[0].width, height: p.frames[0].height });
export const hasAlpha = (p: Picture) => p.frames[0].channels === 4;

/**
 * A pipeline over one frame. Frames are this server's own buffers, bounded by the output size checks, so the
 * input pixel limit (meant for what origins send) does not apply to them.
 */
export function open(frame: Frame): Sharp {
  // sharp flags some raw output as premultiplied while its samples are not; reading them back as plain is right.
  return sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: frame.channels }, limitInputPixels: false }).timeout(remainingTimeout());
}

/** Raw sRGB pixels out of a pipeline, with 3 or 4 channels whatever the operations did (grayscale gives 1). */
export async function toFrame(pipeline: Sharp): Promise<Frame> {
  const { data, info } = await pipeline.timeout(remainingTimeout()).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels >= 3) return { data, width: info.width, height: info.height, channels: info.channels as 3 | 4 };
  const widened = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).toColourspace('srgb');
  return toFrame(widened);
}

/** Runs one operation over every frame, each in its own pipeline. */
export async function eachFrame(picture: Picture, op: (pipeline: Sharp, frame: Frame) => Sharp | Promise<Sharp>): Promise<Picture> {
  const frames: Frame[] = [];
  for (const frame of picture.frames) frames.push(await toFrame(await op(open(frame), frame)));
  return { ...picture, frames };
}

export const isAnimated = (meta: sharp.Metadata) => (meta.pages ?? 1) > 1 && (meta.format === 'gif' || meta.format === 'webp');

/**
 * Decodes an image (all frames of an animation), applying EXIF orientation. `first` is a resize done while
 * decoding, so that libvips can shrink on load (a JPEG decoded at 1/8 scale instead of in full).
 */
export async function decode(input: Buffer, meta: sharp.Metadata, maxPixels: number, first?: (pipeline: Sharp) => Sharp): Promise<Picture> {
  const pages = meta.pages ?? 1;
  const animated = isAnimated(meta);
  const pipeline = decoding(input, meta, maxPixels);
  const whole = await toFrame(first ? first(pipeline) : pipeline);
  if (!animated) return { frames: [whole] };
  const height = meta.pageHeight ?? whole.height / pages;
  const bytes = whole.width * height * whole.channels;
  const frames = Array.from({ length: pages }, (_, i) => ({ ...whole, height, data: whole.data.subarray(i * bytes, (i + 1) * bytes) }));
  return { frames, delay: meta.delay, loop: meta.loop };
}

/** A pipeline that decodes `input` (every frame of an animation) with its EXIF orientation applied. */
export function decoding(input: Buffer, meta: sharp.Metadata, maxPixels: number): Sharp {
  return sharp(input, { limitInputPixels: maxPixels, animated: isAnimated(meta) }).timeout(remainingTimeout()).rotate();
}

/** One pipeline over all frames, stacked as pages, ready for an encoder that keeps animation. */
export function stacked(picture: Picture): Sharp {
  const [first] = picture.frames;
  if (picture.frames.length === 1) return open(first);
  const data = Buffer.concat(picture.frames.map((f) => f.data));
  return sharp(data, {
    raw: { width: first.width, height: first.height * picture.frames.length, channels: first.channels, pageHeight: first.height },
    limitInputPixels: false,
  }).timeout(remainingTimeout());
}
