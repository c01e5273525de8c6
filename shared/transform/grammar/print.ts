import { colourText } from '../colour';
import { conditionText } from '../conditional';
import type { Conditional, Layer, Step } from './model';
import { layerParams } from './params-layers';
import { stepParamByKey, stepParams } from './table';
import { DEFAULT_TRIM } from './values';

function conditionalText(c: Conditional): string {
  const parts = [`if-${conditionText(c.condition)}`, canonicalTransformation(c.then), ...(c.else ? ['if-else', canonicalTransformation(c.else)] : []), 'if-end'];
  return parts.filter((p) => p !== '').join(',');
}

function layerText(layer: Layer): string {
  const [first, ...rest] = layer.steps;
  const head = [
    ...layerParams.map((s) => s.write(layer)),
    layer.trim === DEFAULT_TRIM ? undefined : `t-${layer.trim === 0 ? 'false' : layer.trim}`,
    layer.fill && `bg-${colourText(layer.fill)}`,
    stepParamByKey.get('w')!.write({ w: layer.text.width }),
    stepText(first),
  ];
  // The first piece always holds i-, so a later step never moves into the first, where t and bg mean something else.
  const chain = [head.filter((t) => t !== undefined && t !== '').join(','), ...rest.map(stepText).filter((t) => t !== '')];
  return `l-${layer.type},${chain.join(':')},l-end`;
}

function stepText(step: Step): string {
  if (step.if) return conditionalText(step.if);
  return [...stepParams.map((s) => s.write(step)), ...(step.layers ?? []).map(layerText)].filter((t): t is string => t !== undefined).join(',');
}

/** One string per meaning: parameters in canonical order, defaults dropped. Used for cache keys and signatures. */
export function canonicalTransformation(steps: Step[]): string {
  return steps
    .map(stepText)
    .filter((t) => t !== '')
    .join(':');
}
