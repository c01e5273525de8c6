import type { Dimension, Step } from './params';

export interface Size {
  width: number;
  height: number;
}

/** What sharp must do for one step: `cover` scales and centre-crops to exactly width x height, `fill` scales to it. */
export interface ResizeOp extends Size {
  fit: 'cover' | 'fill';
}

/** ImageKit ignores `dpr` when it would push a side below 1 or above this many pixels. */
const DPR_MAX_SIDE = 5000;

function resolve(d: Dimension | undefined, inputSide: number): number | undefined {
  if (!d) return undefined;
  return 'px' in d ? d.px : Math.max(1, Math.round(inputSide * d.fraction));
}

const scaled = (input: Size, scale: number): Size => ({
  width: Math.max(1, Math.round(input.width * scale)),
  height: Math.max(1, Math.round(input.height * scale)),
});

/** Requested width and height after `ar` and `dpr`, before the crop strategy is applied. */
function requestedBox(step: Step, input: Size): { w?: number; h?: number } {
  let w = resolve(step.w, input.width);
  let h = resolve(step.h, input.height);
  // ar only completes a box given by one side; with both sides it is ignored, as ImageKit documents.
  if (step.ar !== undefined && (w === undefined) !== (h === undefined)) {
    if (w !== undefined) h = Math.max(1, Math.round(w / step.ar));
    else if (h !== undefined) w = Math.max(1, Math.round(h * step.ar));
  }
  if (step.dpr !== undefined && (w !== undefined || h !== undefined)) {
    const dw = w === undefined ? undefined : Math.round(w * step.dpr);
    const dh = h === undefined ? undefined : Math.round(h * step.dpr);
    const inRange = (v: number | undefined) => v === undefined || (v >= 1 && v <= DPR_MAX_SIDE);
    if (inRange(dw) && inRange(dh)) {
      w = dw;
      h = dh;
    }
  }
  return { w, h };
}

/**
 * The resize one step asks for, or undefined when it keeps the size. Rounding is Math.round of the
 * scaled sides, which reproduces ImageKit's documented examples (640x865 at w-300,h-200,c-at_max is 148x200).
 */
export function planResize(step: Step, input: Size): ResizeOp | undefined {
  const { w, h } = requestedBox(step, input);
  if (w === undefined && h === undefined) return undefined;
  const crop = step.c ?? 'maintain_ratio';

  if (w === undefined || h === undefined) {
    const scale = w !== undefined ? w / input.width : h! / input.height;
    if (crop === 'at_max' && scale >= 1) return undefined;
    const size = scaled(input, scale);
    return { ...size, ...(w !== undefined ? { width: w } : { height: h! }), fit: 'fill' };
  }

  switch (crop) {
    case 'maintain_ratio':
      return { width: w, height: h, fit: 'cover' };
    case 'force':
      return { width: w, height: h, fit: 'fill' };
    case 'at_max': {
      const scale = Math.min(w / input.width, h / input.height);
      return scale >= 1 ? undefined : { ...scaled(input, scale), fit: 'fill' };
    }
    case 'at_max_enlarge':
      return { ...scaled(input, Math.min(w / input.width, h / input.height)), fit: 'fill' };
    case 'at_least':
      return { ...scaled(input, Math.max(w / input.width, h / input.height)), fit: 'fill' };
  }
}
