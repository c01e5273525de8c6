import sharp, { type Sharp } from 'sharp';
import { badParam } from '../http/errors';
import { TRANSPARENT, type Colour } from './colour';
import { linearGradient, roundedMask } from './draw';
import { faceGeometry } from './faces/crop';
import { evaluate } from './expression';
import type { Background, BlurredBackground, ColourReplace, Focus, Shadow, Size, Step } from './grammar/model';
import { eachFrame, frameSize, hasAlpha, open, toFrame, type Frame, type Picture } from './picture';
import { pixels, planGeometry, sizeAfter, variables, type Geometry, type Sizes } from './plan';

/** ImageKit refuses e-shadow on inputs over 2 megapixels. */
const SHADOW_MAX_PIXELS = 2_000_000;

const GRAVITY: Record<Exclude<Focus, 'auto' | 'face'>, string> = {
  center: 'centre',
  top: 'north',
  bottom: 'south',
  left: 'west',
  right: 'east',
  top_left: 'northwest',
  top_right: 'northeast',
  bottom_left: 'southwest',
  bottom_right: 'southeast',
};

const withAlpha = (p: Picture) => (hasAlpha(p) ? p : eachFrame(p, (s) => s.ensureAlpha()));

async function resolveBackground(p: Picture, bg: Background): Promise<Colour> {
  if (bg !== 'dominant' && 'blurred' in bg) throw badParam('"bg-blurred" works only as the padding of cm-pad_resize');
  if (bg !== 'dominant') return bg;
  const { dominant } = await open(p.frames[0]).stats();
  return { ...dominant, alpha: 1 };
}

/** `t`: cut away the edges that match the top-left pixel, the same box on every frame. */
async function trim(p: Picture, threshold: number): Promise<Picture> {
  let info: sharp.OutputInfo;
  try {
    ({ info } = await open(p.frames[0]).trim({ threshold }).raw().toBuffer({ resolveWithObject: true }));
  } catch {
    return p;
  }
  const box = { left: -(info.trimOffsetLeft ?? 0), top: -(info.trimOffsetTop ?? 0), width: info.width, height: info.height };
  return eachFrame(p, (s) => s.extract(box));
}

/** libvips attention finds the region to keep on the first frame; every frame is cut there, so an animation does not jitter. */
async function attentionCover(p: Picture, target: Size): Promise<Picture> {
  const input = frameSize(p);
  const scale = Math.max(target.width / input.width, target.height / input.height);
  const scaled = { width: Math.max(target.width, Math.round(input.width * scale)), height: Math.max(target.height, Math.round(input.height * scale)) };
  const { info } = await open(p.frames[0]).resize(target.width, target.height, { fit: 'cover', position: sharp.strategy.attention }).raw().toBuffer({ resolveWithObject: true });
  const left = Math.min(Math.max(0, -(info.cropOffsetLeft ?? 0)), scaled.width - target.width);
  const top = Math.min(Math.max(0, -(info.cropOffsetTop ?? 0)), scaled.height - target.height);
  return eachFrame(p, (s) => s.resize(scaled.width, scaled.height, { fit: 'fill' }).extract({ left, top, ...target }));
}

/**
 * The padding of `bg-blurred`: each frame, scaled to cover the padded box, blurred (intensity 0-100 is a Gaussian
 * sigma of intensity/2; `auto` follows the box, a fiftieth of its longer side) and brightened, under the frame.
 */
async function blurredBackdrop(p: Picture, edges: { top: number; right: number; bottom: number; left: number }, blur: BlurredBackground['blurred']): Promise<Picture> {
  const { width, height } = frameSize(p);
  const box = { width: width + edges.left + edges.right, height: height + edges.top + edges.bottom };
  const sigma = Math.max(0.3, blur.intensity === 'auto' ? Math.max(box.width, box.height) / 50 : blur.intensity / 2);
  const frames: Frame[] = [];
  for (const frame of p.frames) {
    const backdrop = await toFrame(open(frame).resize(box.width, box.height, { fit: 'cover' }).blur(sigma).linear(1, blur.brightness));
    frames.push(await toFrame(open(backdrop).composite([{ input: frame.data, raw: { width, height, channels: frame.channels }, left: edges.left, top: edges.top }])));
  }
  return { ...p, frames };
}

async function extend(p: Picture, edges: { top: number; right: number; bottom: number; left: number }, background: Background): Promise<Picture> {
  if (background !== 'dominant' && 'blurred' in background) return blurredBackdrop(p, edges, background.blurred);
  const colour = await resolveBackground(p, background);
  const base = colour.alpha < 1 ? await withAlpha(p) : p;
  return eachFrame(base, (s) => s.extend({ ...edges, background: colour }));
}

type Resize = Extract<Geometry, { op: 'resize' | 'cover' }>;

const resizer = (g: Resize) => (s: Sharp) =>
  g.op === 'resize' ? s.resize(g.width, g.height, { fit: 'fill' }) : s.resize(g.width, g.height, { fit: 'cover', position: GRAVITY[g.focus as Exclude<Focus, 'auto' | 'face'>] });

/** A resize that is one sharp call on any pipeline, so it can also run while decoding; undefined for the others. */
export function plainResize(g: Geometry): ((s: Sharp) => Sharp) | undefined {
  return g.op === 'resize' || (g.op === 'cover' && g.focus !== 'auto') ? resizer(g) : undefined;
}

async function geometry(p: Picture, g: Geometry, check: SizeCheck): Promise<Picture> {
  switch (g.op) {
    case 'face': {
      const plan = await faceGeometry(p, g);
      check(sizeAfter(plan, frameSize(p)));
      let cropped = p;
      for (const step of plan) cropped = await geometry(cropped, step, check);
      return cropped;
    }
    case 'resize':
    case 'cover':
      return g.op === 'cover' && g.focus === 'auto' ? attentionCover(p, g) : eachFrame(p, resizer(g));
    case 'extract':
      return eachFrame(p, (s) => s.extract({ left: g.left, top: g.top, width: g.width, height: g.height }));
    case 'extend':
      return extend(p, g, g.background);
  }
}

async function rotate(p: Picture, degrees: number): Promise<Picture> {
  if (degrees % 90 === 0) return eachFrame(p, (s) => s.rotate(degrees));
  // The corners an arbitrary angle uncovers are transparent; `bg` in the same step, or a JPEG encode, fills them.
  return eachFrame(await withAlpha(p), (s) => s.rotate(degrees, { background: TRANSPARENT }));
}

/**
 * `cr`: every pixel within the tolerance of `from` (RGB distance; 100 is the whole cube) becomes `to`, keeping
 * its own alpha. Without `from`, the image's dominant colour is replaced, as ImageKit documents.
 */
async function replaceColour(p: Picture, cr: ColourReplace): Promise<Picture> {
  const from = cr.from ?? (await resolveBackground(p, 'dominant'));
  const limit = (cr.tolerance / 100) * Math.sqrt(3 * 255 * 255);
  const frames = p.frames.map((frame) => {
    const data = Buffer.from(frame.data);
    for (let i = 0; i < data.length; i += frame.channels) {
      if (Math.hypot(data[i] - from.r, data[i + 1] - from.g, data[i + 2] - from.b) > limit) continue;
      data[i] = cr.to.r;
      data[i + 1] = cr.to.g;
      data[i + 2] = cr.to.b;
    }
    return { ...frame, data };
  });
  return { ...p, frames };
}

/** `e-colorize`: the image tinted to the colour, mixed with the original by the intensity. */
async function colorize(p: Picture, colour: Colour, intensity: number): Promise<Picture> {
  const weight = intensity / 100;
  const frames: Frame[] = [];
  for (const frame of p.frames) {
    const tinted = await toFrame(open(frame).tint({ r: colour.r, g: colour.g, b: colour.b }));
    const data = Buffer.from(frame.data);
    for (let i = 0; i < data.length; i++) {
      // Alpha stays as it was.
      if (frame.channels === 4 && i % 4 === 3) continue;
      data[i] = Math.round(frame.data[i] * (1 - weight) + tinted.data[i] * weight);
    }
    frames.push({ ...frame, data });
  }
  return { ...p, frames };
}

/** `e-shadow`: a blurred, offset copy of the alpha channel, darkened by the saturation, under the image. */
async function shadow(p: Picture, s: Shadow): Promise<Picture> {
  const { width, height } = frameSize(p);
  if (width * height > SHADOW_MAX_PIXELS) throw badParam(`"e-shadow" needs an image of at most 2 megapixels; this one is ${width}x${height} (resize it in this or an earlier step)`);
  const dx = Math.round((s.x * width) / 100);
  const dy = Math.round((s.y * height) / 100);
  const base = await withAlpha(p);
  const frames: Frame[] = [];
  for (const frame of base.frames) {
    const mask = Buffer.alloc(width * height * 4);
    for (let y = 0; y < height; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= height) continue;
      for (let x = 0; x < width; x++) {
        const sx = x - dx;
        if (sx >= 0 && sx < width) mask[(y * width + x) * 4 + 3] = Math.round((frame.data[(sy * width + sx) * 4 + 3] * s.saturation) / 100);
      }
    }
    let layer = open({ data: mask, width, height, channels: 4 });
    if (s.blur > 0) layer = layer.blur(Math.max(0.3, s.blur / 2));
    const blurred = await toFrame(layer);
    frames.push(await toFrame(open(blurred).composite([{ input: frame.data, raw: { width, height, channels: 4 } }])));
  }
  return { ...base, frames };
}

async function flatten(p: Picture, background: Background, ignoreAlpha: boolean): Promise<Picture> {
  if (!hasAlpha(p)) return p;
  const colour = await resolveBackground(p, background);
  if (colour.alpha >= 1 || ignoreAlpha) return eachFrame(p, (s) => s.flatten({ background: { r: colour.r, g: colour.g, b: colour.b } }));
  const { width, height } = frameSize(p);
  const frames: Frame[] = [];
  for (const frame of p.frames) {
    frames.push(await toFrame(sharp({ create: { width, height, channels: 4, background: colour } }).composite([{ input: frame.data, raw: { width, height, channels: 4 } }])));
  }
  return { ...p, frames };
}

/** The sizes the step's geometry will produce, for the caller's limits, before any pixel is computed. */
export type SizeCheck = (size: Size) => void;

/**
 * One step, in ImageKit's fixed order whatever the order in the URL (docs/url-parameters.md, "Effects"): trim, resize and crop,
 * rotate, flip, effects, border, radius, opacity and background.
 */
export async function applyStep(input: Picture, step: Step, sizes: Sizes, check: SizeCheck, planned?: Geometry[]): Promise<Picture> {
  let p = input;
  if (step.t) p = await trim(p, step.t);

  // `planned` is the geometry left to do when the caller planned this step and began it while decoding.
  const plan = planned ?? planGeometry(step, { ...sizes, input: frameSize(p) });
  if (!planned) check(sizeAfter(plan, frameSize(p)));
  for (const g of plan) p = await geometry(p, g, check);

  if (typeof step.rt === 'number' && step.rt !== 0) p = await rotate(p, step.rt);
  if (step.fl) {
    const fl = step.fl;
    p = await eachFrame(p, (s) => (fl === 'v' ? s.flip() : fl === 'h' ? s.flop() : s.flip().flop()));
  }

  if (step.contrast) p = await eachFrame(p, (s) => s.normalise());
  if (step.grayscale) p = await eachFrame(p, (s) => s.grayscale());
  if (step.colorize) p = await colorize(p, step.colorize.colour, step.colorize.intensity);
  if (step.cr) p = await replaceColour(p, step.cr);
  if (step.sharpen !== undefined) {
    // e-sharpen alone is sigma 1; e-sharpen-<n> is sigma n/10 (libvips takes at most 10).
    const sigma = step.sharpen === 0 ? 1 : step.sharpen / 10;
    p = await eachFrame(p, (s) => s.sharpen({ sigma }));
  }
  if (step.usm) {
    // ImageMagick-style radius-sigma-amount-threshold onto libvips: flat areas (under the threshold) untouched.
    const u = step.usm;
    p = await eachFrame(p, (s) => s.sharpen({ sigma: u.sigma, m1: 0, m2: u.amount, x1: u.threshold * 100 }));
  }
  if (step.bl) {
    const sigma = Math.max(0.3, step.bl / 2);
    p = await eachFrame(p, (s) => s.blur(sigma));
  }
  if (step.gradient) {
    const g = step.gradient;
    const size = frameSize(p);
    const stop = evaluate(g.stop, variables({ ...sizes, input: size }), 'e-gradient');
    const length = Math.abs(size.width * Math.sin((g.direction * Math.PI) / 180)) + Math.abs(size.height * Math.cos((g.direction * Math.PI) / 180));
    const overlay = linearGradient(size, g, Math.min(1, Math.max(0, stop <= 1 ? stop : stop / length)));
    p = await eachFrame(p, (s) => s.composite([{ input: overlay }]));
  }
  if (step.shadow) p = await shadow(p, step.shadow);

  if (step.b) {
    const width = pixels(step.b.width, variables({ ...sizes, input: frameSize(p) }), 'b');
    if (width > 0) {
      check({ width: frameSize(p).width + 2 * width, height: frameSize(p).height + 2 * width });
      p = await extend(p, { top: width, right: width, bottom: width, left: width }, step.b.colour);
    }
  }
  if (step.r) {
    const mask = roundedMask(frameSize(p), step.r);
    p = await eachFrame(await withAlpha(p), (s) => s.composite([{ input: mask, blend: 'dest-in' }]));
  }
  if (step.o !== undefined && step.o < 100) {
    const factor = step.o / 100;
    p = await eachFrame(await withAlpha(p), (s) => s.linear([1, 1, 1, factor], [0, 0, 0, 0]));
  }
  // A translucent bg that padded the image is already in place; laying the image over it again would darken the padding.
  const padded = plan.some((g) => g.op === 'extend');
  const blurred = step.bg !== undefined && step.bg !== 'dominant' && 'blurred' in step.bg;
  if (blurred && !padded) throw badParam('"bg-blurred" works only as the padding of cm-pad_resize');
  if (step.bg && !blurred && !(padded && step.bg !== 'dominant' && 'alpha' in step.bg && step.bg.alpha < 1)) p = await flatten(p, step.bg, step.o !== undefined);
  return p;
}
