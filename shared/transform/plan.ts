import { badParam } from '../http/errors';
import { evaluate, type Amount, type Variables } from './expression';
import type { Background, Dimension, Focus, Size, Step } from './grammar/model';

/** The sizes a step's expressions may name: the original (`iw`, `ih`, `iar`) and, inside a layer, the base under it (`bw`, `bh`, `bar`). */
export interface Sizes {
  original: Size;
  base?: Size;
}

/** Sizes plus this step's input (`cw`, `ch`, `car`). */
export interface PlanContext extends Sizes {
  input: Size;
}

/**
 * One geometric operation on the step's image, in order: `resize` scales to exactly width x height, `cover`
 * scales to cover it and crops the excess at `focus`, `extract` cuts a region, `extend` pads the edges.
 */
export type Geometry =
  | ({ op: 'resize' } & Size)
  | ({ op: 'cover'; focus: Focus } & Size)
  | FaceCrop
  | { op: 'extract'; left: number; top: number; width: number; height: number }
  | { op: 'extend'; top: number; right: number; bottom: number; left: number; background: Background };

/** `fo-face`: the region around the faces, to be found in the pixels, resized to the sides given (none, one or both). */
export interface FaceCrop {
  op: 'face';
  width?: number;
  height?: number;
  zoom: number;
}

/** ImageKit ignores `dpr` when it would push a side below 1 or above this many pixels. */
const DPR_MAX_SIDE = 5000;

export function variables(ctx: PlanContext): Variables {
  return {
    iw: ctx.original.width,
    ih: ctx.original.height,
    iar: ctx.original.width / ctx.original.height,
    cw: ctx.input.width,
    ch: ctx.input.height,
    car: ctx.input.width / ctx.input.height,
    ...(ctx.base && { bw: ctx.base.width, bh: ctx.base.height, bar: ctx.base.width / ctx.base.height }),
  };
}

/** An amount in whole pixels. */
export function pixels(amount: Amount, vars: Variables, key: string): number {
  return Math.round(evaluate(amount, vars, key));
}

/** A width or height in pixels: a fraction is of `inputSide`, an expression at least 1 pixel. */
export function resolveDimension(d: Dimension | undefined, inputSide: number, vars: Variables, key: string): number | undefined {
  if (!d) return undefined;
  if ('px' in d) return d.px;
  if ('fraction' in d) return Math.max(1, Math.round(inputSide * d.fraction));
  const px = pixels(d.expr, vars, key);
  if (px < 1) throw badParam(`Parameter "${key}" evaluates to ${px}; a side must be at least 1 pixel`);
  return px;
}

const scaled = (input: Size, scale: number): Size => ({
  width: Math.max(1, Math.round(input.width * scale)),
  height: Math.max(1, Math.round(input.height * scale)),
});

/** Requested width and height after `ar` and `dpr`, before the crop strategy is applied. */
function requestedBox(step: Step, ctx: PlanContext): { w?: number; h?: number } {
  const vars = variables(ctx);
  let w = resolveDimension(step.w, ctx.input.width, vars, 'w');
  let h = resolveDimension(step.h, ctx.input.height, vars, 'h');
  // ar only completes a box given by one side; with both sides it is ignored, as ImageKit documents.
  if (step.ar !== undefined && (w === undefined) !== (h === undefined)) {
    const ar = evaluate(step.ar, vars, 'ar');
    if (!(ar > 0)) throw badParam(`Parameter "ar" evaluates to ${ar}; an aspect ratio must be above 0`);
    if (w !== undefined) h = Math.max(1, Math.round(w / ar));
    else if (h !== undefined) w = Math.max(1, Math.round(h * ar));
  }
  if (step.dpr !== undefined && (w !== undefined || h !== undefined)) {
    // Checked before rounding, as ImageKit words it: w-5 at dpr-0.1 is 0.5 px, so dpr is ignored rather than giving 1 px.
    const dw = w === undefined ? undefined : w * step.dpr;
    const dh = h === undefined ? undefined : h * step.dpr;
    const inRange = (v: number | undefined) => v === undefined || (v >= 1 && v <= DPR_MAX_SIDE);
    if (inRange(dw) && inRange(dh)) {
      w = dw === undefined ? undefined : Math.round(dw);
      h = dh === undefined ? undefined : Math.round(dh);
    }
  }
  return { w, h };
}

/** Where a focus puts something along one axis: 0 = start, 0.5 = middle, 1 = end. */
export function anchor(focus: Focus | undefined, axis: 'x' | 'y'): number {
  const f = focus ?? 'center';
  const [start, end] = axis === 'x' ? ['left', 'right'] : ['top', 'bottom'];
  if (f.includes(start)) return 0;
  if (f.includes(end)) return 1;
  return 0.5;
}

/** `cm-pad_resize`: the whole image fitted inside w x h, the rest filled with `bg`; fo-left/right/top/bottom move it to that side. */
function padResize(step: Step, input: Size, w: number, h: number): Geometry[] {
  let scale = Math.min(w / input.width, h / input.height);
  if (step.cm === 'pad_resize_no_enlarge') scale = Math.min(scale, 1);
  const inner = scaled(input, scale);
  const left = Math.floor((w - inner.width) * anchor(step.fo, 'x'));
  const top = Math.floor((h - inner.height) * anchor(step.fo, 'y'));
  return [
    { op: 'resize', ...inner },
    { op: 'extend', left, top, right: w - inner.width - left, bottom: h - inner.height - top, background: step.bg ?? { r: 0, g: 0, b: 0, alpha: 1 } },
  ];
}

/** Start of the extracted region on one axis: from x/y (start), xc/yc (centre) or the focus. */
function regionStart(step: Step, axis: 'x' | 'y', size: number, side: number, vars: Variables): { start: number; exact: boolean } {
  const start = axis === 'x' ? step.x : step.y;
  const centre = axis === 'x' ? step.xc : step.yc;
  if (centre !== undefined) return { start: pixels(centre, vars, `${axis}c`) - Math.floor(size / 2), exact: true };
  if (start !== undefined) return { start: pixels(start, vars, axis), exact: false };
  return { start: Math.floor((side - size) * anchor(step.fo, axis)), exact: false };
}

/**
 * `cm-extract` cuts w x h out of the image without resizing; `cm-pad_extract` may ask for more than the image
 * has and pads the rest with `bg`. A centre (xc/yc) that puts an extract past the edge fails, as ImageKit documents.
 */
function extract(step: Step, ctx: PlanContext, w: number | undefined, h: number | undefined): Geometry[] {
  if (step.fo === 'auto') throw badParam('"fo-auto" works with cropping (c-maintain_ratio), not with cm-extract or cm-pad_extract');
  const vars = variables(ctx);
  const { input } = ctx;
  const pad = step.cm === 'pad_extract';
  const width = pad ? (w ?? input.width) : Math.min(w ?? input.width, input.width);
  const height = pad ? (h ?? input.height) : Math.min(h ?? input.height, input.height);
  const x = regionStart(step, 'x', width, input.width, vars);
  const y = regionStart(step, 'y', height, input.height, vars);
  if (!pad) {
    if ((x.exact && (x.start < 0 || x.start + width > input.width)) || (y.exact && (y.start < 0 || y.start + height > input.height))) {
      throw badParam(`The extract centred at xc/yc goes past the edge of the ${input.width}x${input.height} image`);
    }
    const left = Math.max(0, Math.min(x.start, input.width - width));
    const top = Math.max(0, Math.min(y.start, input.height - height));
    return [{ op: 'extract', left, top, width, height }];
  }
  const left = Math.max(0, x.start);
  const top = Math.max(0, y.start);
  const right = Math.min(input.width, x.start + width);
  const bottom = Math.min(input.height, y.start + height);
  if (right <= left || bottom <= top) throw badParam(`The region to extract lies outside the ${input.width}x${input.height} image`);
  return [
    { op: 'extract', left, top, width: right - left, height: bottom - top },
    { op: 'extend', left: left - x.start, top: top - y.start, right: x.start + width - right, bottom: y.start + height - bottom, background: step.bg ?? { r: 0, g: 0, b: 0, alpha: 1 } },
  ];
}

/**
 * The geometry one step asks for (empty when it keeps the size). Rounding is Math.round of the scaled sides,
 * which reproduces ImageKit's documented examples (640x865 at w-300,h-200,c-at_max is 148x200).
 */
export function planGeometry(step: Step, ctx: PlanContext): Geometry[] {
  const { w, h } = requestedBox(step, ctx);
  const { input } = ctx;
  if (step.fo === 'face') {
    const other = step.cm ? `cm-${step.cm}` : step.c && step.c !== 'maintain_ratio' ? `c-${step.c}` : undefined;
    if (other) throw badParam(`"fo-face" crops around the faces, then resizes: it does not combine with ${other}`);
    return [{ op: 'face', width: w, height: h, zoom: step.z ?? 1 }];
  }
  if (step.cm === 'extract' || step.cm === 'pad_extract') return w === undefined && h === undefined ? [] : extract(step, ctx, w, h);
  if (w === undefined && h === undefined) return [];
  const crop = step.c ?? 'maintain_ratio';

  if (w === undefined || h === undefined) {
    const scale = w !== undefined ? w / input.width : h! / input.height;
    if ((crop === 'at_max' || crop === 'maintain_ratio_no_enlarge' || step.cm === 'pad_resize_no_enlarge') && scale >= 1) return [];
    return [{ op: 'resize', ...scaled(input, scale), ...(w !== undefined ? { width: w } : { height: h! }) }];
  }
  if (step.cm === 'pad_resize' || step.cm === 'pad_resize_no_enlarge') return padResize(step, input, w, h);

  const focus = step.fo ?? 'center';
  switch (crop) {
    case 'maintain_ratio':
      return [{ op: 'cover', width: w, height: h, focus }];
    case 'maintain_ratio_no_enlarge': {
      // Never enlarged: a box larger than the image shrinks, keeping its aspect ratio, until the image covers it.
      const cover = Math.max(w / input.width, h / input.height);
      const box = cover > 1 ? { width: Math.max(1, Math.round(w / cover)), height: Math.max(1, Math.round(h / cover)) } : { width: w, height: h };
      return [{ op: 'cover', ...box, focus }];
    }
    case 'force':
      return [{ op: 'resize', width: w, height: h }];
    case 'at_max': {
      const scale = Math.min(w / input.width, h / input.height);
      return scale >= 1 ? [] : [{ op: 'resize', ...scaled(input, scale) }];
    }
    case 'at_max_enlarge':
      return [{ op: 'resize', ...scaled(input, Math.min(w / input.width, h / input.height)) }];
    case 'at_least':
      return [{ op: 'resize', ...scaled(input, Math.max(w / input.width, h / input.height)) }];
  }
}

/** The size an image has after the geometry. */
export function sizeAfter(geometry: Geometry[], input: Size): Size {
  return geometry.reduce<Size>((size, g) => {
    if (g.op === 'extend') return { width: size.width + g.left + g.right, height: size.height + g.top + g.bottom };
    // A face crop's other sides are known once the faces are: at most the image's, checked again then.
    if (g.op === 'face') return { width: g.width ?? size.width, height: g.height ?? size.height };
    return { width: g.width, height: g.height };
  }, input);
}
