import { holds } from './conditional';
import type { Step } from './params';
import { frameSize, type Picture } from './picture';
import type { Size } from './plan';
import { applyStep, type SizeCheck } from './step';

/** What every step of a chain needs besides its image: the original's size and the caller's size limits. */
export interface ChainContext {
  original: Size;
  check: SizeCheck;
}

/** One step: a conditional runs the branch its condition picks for the image as it is now. */
export async function runStep(p: Picture, step: Step, ctx: ChainContext): Promise<Picture> {
  if (step.if) {
    const branch = holds(step.if.condition, frameSize(p), ctx.original) ? step.if.then : (step.if.else ?? []);
    return runChain(p, branch, ctx);
  }
  return applyStep(p, step, ctx.original, ctx.check);
}

export async function runChain(p: Picture, steps: Step[], ctx: ChainContext): Promise<Picture> {
  let picture = p;
  for (const step of steps) picture = await runStep(picture, step, ctx);
  return picture;
}
