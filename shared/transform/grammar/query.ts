import type { Step } from './model';

/** The last value any step gives for a key: output parameters apply to the final encode wherever they appear. */
export function lastValue<K extends keyof Step>(steps: Step[], key: K): Step[K] | undefined {
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i][key] !== undefined) return steps[i][key];
  return undefined;
}
