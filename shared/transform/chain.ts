import sharp from 'sharp';
import { badParam, overLimit, unsupported } from '../http/errors';
import { holds } from './conditional';
import type { Layer, Size, Step } from './grammar/model';
import { CANVAS } from './grammar/values';
import { layDown } from './layer-mode';
import { decode, frameSize, open, toFrame, type Frame, type Picture } from './picture';
import { anchor, pixels, resolveDimension, variables, type Geometry, type Sizes } from './plan';
import { applyStep, type SizeCheck } from './step';
import { drawText } from './text';
import type { Variables } from './expression';

/** What every step of a chain needs besides its image. */
export interface ChainContext extends Sizes {
  /** The caller's limits on the size of anything drawn. */
  check: SizeCheck;
  /** Counts a picture no size limit applies to (a decoded image layer) against the job's memory. */
  account?: SizeCheck;
  /** The bytes of an image layer or a custom font, by path; without it both are refused. */
  loadLayer?: (path: string) => Promise<Buffer>;
  maxInputPixels: number;
}

/**
 * One step: a conditional runs the branch its condition picks for the image as it is now; otherwise the step's own
 * operations, then its layers. `planned` is geometry left to do when the caller began the step while decoding.
 */
export async function runStep(p: Picture, step: Step, ctx: ChainContext, planned?: Geometry[]): Promise<Picture> {
  if (step.if) {
    const branch = holds(step.if.condition, frameSize(p), ctx.original) ? step.if.then : (step.if.else ?? []);
    return runChain(p, branch, ctx);
  }
  let picture = await applyStep(p, step, ctx, ctx.check, planned);
  for (const layer of step.layers ?? []) picture = await overlay(picture, layer, ctx);
  return picture;
}

export async function runChain(p: Picture, steps: Step[], ctx: ChainContext): Promise<Picture> {
  let picture = p;
  for (const step of steps) picture = await runStep(picture, step, ctx);
  return picture;
}

const baseVariables = (base: Size): Variables => ({ bw: base.width, bh: base.height, bar: base.width / base.height });

/** A solid colour block: `w` and `h` of its first step (fractions and expressions of the base; the base's side when absent). */
async function canvas(layer: Layer, base: Size, ctx: ChainContext): Promise<{ picture: Picture; steps: Step[] }> {
  const [first, ...rest] = layer.steps;
  const vars = baseVariables(base);
  const size = { width: resolveDimension(first.w, base.width, vars, 'w') ?? base.width, height: resolveDimension(first.h, base.height, vars, 'h') ?? base.height };
  ctx.check(size);
  const frame = await toFrame(sharp({ create: { ...size, channels: 4, background: layer.fill! } }));
  const { w, h, ...others } = first;
  return { picture: { frames: [frame] }, steps: [others, ...rest] };
}

/** An image layer: its first frame, decoded within the input pixel limit, trimmed unless `t-false`. */
async function image(layer: Layer, ctx: ChainContext): Promise<Picture> {
  if (!ctx.loadLayer) throw unsupported('Image layers are not available here');
  const body = await ctx.loadLayer(layer.input);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(body, { limitInputPixels: false }).metadata();
  } catch {
    throw badParam(`The layer "${layer.input}" is not an image`);
  }
  if (!meta.width || !meta.height) throw badParam(`The layer "${layer.input}" is not an image`);
  if (meta.width * meta.height > ctx.maxInputPixels) throw overLimit(`The layer "${layer.input}" is ${meta.width}x${meta.height}, more than ${ctx.maxInputPixels} pixels`);
  ctx.account?.({ width: meta.width, height: meta.height });
  const picture = await decode(body, { ...meta, pages: 1 }, ctx.maxInputPixels);
  return layer.trim > 0 ? applyStep(picture, { t: layer.trim }, { original: frameSize(picture) }, ctx.check) : picture;
}

const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));

/**
 * Where the layer starts along one axis of the base. Without lx/ly/lxc/lyc, `lfo` places it (default centre).
 * With them, offsets count from the `lap` anchor (default top-left) into the base; `N` counts from the far edge
 * (`lx-N35`: the layer's right edge 35 px in from the base's right edge). A layer that would stick out is moved
 * back inside, as ImageKit clamps positions; one larger than the base is cut to it.
 */
function place(layer: Layer, axis: 'x' | 'y', baseSide: number, side: number, vars: Variables): number {
  const [start, centre, startKey, centreKey] = axis === 'x' ? [layer.lx, layer.lxc, 'lx', 'lxc'] : [layer.ly, layer.lyc, 'ly', 'lyc'];
  const room = baseSide - side;
  let at: number;
  if ([layer.lx, layer.ly, layer.lxc, layer.lyc].every((v) => v === undefined)) at = Math.floor(room * anchor(layer.lfo, axis));
  else {
    const a = anchor(layer.lap ?? 'top_left', axis);
    if (centre !== undefined) {
      const c = pixels(centre, vars, centreKey);
      at = Math.round(baseSide * a + (a === 1 ? -c : c) - side / 2);
    } else {
      const v = start === undefined ? 0 : pixels(start, vars, startKey);
      const inward = v < 0 ? room + v : v;
      at = a === 0 ? inward : a === 1 ? room - inward : Math.floor(room / 2) + v;
    }
  }
  return room >= 0 ? clamp(at, 0, room) : clamp(at, room, 0);
}

/** Draws the layer, runs its chain, and lays it over every frame of the base. */
async function overlay(base: Picture, layer: Layer, ctx: ChainContext): Promise<Picture> {
  const baseSize = frameSize(base);
  const { picture, steps } =
    layer.type === 'text'
      ? { picture: await drawText(layer.input, layer.text, layer.fill, baseSize, ctx.check, ctx.loadLayer), steps: layer.steps }
      : layer.input === CANVAS
        ? await canvas(layer, baseSize, ctx)
        : { picture: await image(layer, ctx), steps: layer.steps };
  const sizes = { original: frameSize(picture), base: baseSize };
  const drawn = await runChain(picture, steps, { ...ctx, ...sizes });
  const size = frameSize(drawn);
  const vars = variables({ ...sizes, input: size });
  const left = place(layer, 'x', baseSize.width, size.width, vars);
  const top = place(layer, 'y', baseSize.height, size.height, vars);
  const visible = { left: Math.max(0, left), top: Math.max(0, top) };
  const width = Math.min(baseSize.width, left + size.width) - visible.left;
  const height = Math.min(baseSize.height, top + size.height) - visible.top;
  const piece = await toFrame(open(drawn.frames[0]).extract({ left: visible.left - left, top: visible.top - top, width, height }));
  if (layer.al !== undefined && !(layer.type === 'image' && layer.fill!.alpha < 1)) fade(piece, layer.al / 10);
  return layDown(base, piece, { ...visible, width, height }, layer, vars);
}

/** `al`: the layer's alpha scaled in place. A solid colour with its own opacity keeps it, as ImageKit documents. */
function fade(frame: Frame, opacity: number): void {
  if (frame.channels !== 4) return;
  for (let i = 3; i < frame.data.length; i += 4) frame.data[i] = Math.round(frame.data[i] * opacity);
}
