import type { TransformationCounts } from '../../security/limits';
import type { Step } from './model';

/** The last value any step gives for a key: output parameters apply to the final encode wherever they appear. */
export function lastValue<K extends keyof Step>(steps: Step[], key: K): Step[K] | undefined {
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i][key] !== undefined) return steps[i][key];
  return undefined;
}

/**
 * Steps as written between `:`: a layer's first step and a branch's first step share the piece of the step that
 * holds them, so each adds its chain's length less one.
 */
function writtenSteps(steps: Step[]): number {
  const chain = (inner: Step[]) => Math.max(0, writtenSteps(inner) - 1);
  return steps.reduce((sum, step) => {
    const layers = (step.layers ?? []).reduce((n, layer) => n + chain(layer.steps), 0);
    const branches = step.if ? chain(step.if.then) + chain(step.if.else ?? []) : 0;
    return sum + 1 + layers + branches;
  }, 0);
}

function layersOf(steps: Step[]): Step['layers'] & object {
  return steps.flatMap((step) => [...(step.layers ?? []).flatMap((layer) => [layer, ...layersOf(layer.steps)]), ...(step.if ? layersOf([...step.if.then, ...(step.if.else ?? [])]) : [])]);
}

/** What parsed steps ask for, as the limits count it: steps, layers at any depth, and the longest text drawn. */
export function countTransformation(steps: Step[]): TransformationCounts {
  const layers = layersOf(steps);
  const texts = layers.filter((layer) => layer.type === 'text').map((layer) => [...layer.input].length);
  return { steps: writtenSteps(steps), layers: layers.length, longestText: Math.max(0, ...texts) };
}
