import type { Step } from './model';
import { invalid } from './values';

/** One parameter of a step, as ipx's handlers hold one modifier each: how its value is read, and written back. */
export interface ParamSpec {
  key: string;
  /** Reads the raw value into the step, or throws an IkError naming the parameter. */
  read(step: Step, value: string): void;
  /** The canonical `key-value` text, or undefined when the step does not set it or sets the default. */
  write(step: Step): string | undefined;
}

/** A parameter that sets one field of the step: `parse` reads (and validates) the value, `text` writes it back. */
export function field<K extends keyof Step>(key: string, name: K, parse: (value: string) => NonNullable<Step[K]>, text: (v: NonNullable<Step[K]>) => string | undefined): ParamSpec {
  return {
    key,
    read(step, value) {
      step[name] = parse(value);
    },
    write(step) {
      const v = step[name];
      if (v === undefined) return undefined;
      const t = text(v as NonNullable<Step[K]>);
      return t === undefined ? undefined : t === '' ? key : `${key}-${t}`;
    },
  };
}

export function choice<K extends 'c' | 'cm' | 'f' | 'fl' | 'fo'>(key: K, values: readonly NonNullable<Step[K]>[], aliases: Record<string, NonNullable<Step[K]>> = {}, defaultValue?: Step[K]): ParamSpec {
  return field(
    key,
    key,
    (value) => {
      const v = (aliases[value] ?? value) as NonNullable<Step[K]>;
      if (!values.includes(v)) throw invalid(key, value, `one of ${[...values, ...Object.keys(aliases)].join(', ')}`);
      return v;
    },
    (v) => (v === defaultValue ? undefined : String(v)),
  );
}

export function bool(key: string, name: 'orig' | 'pr' | 'lo' | 'md' | 'cp'): ParamSpec {
  return field(
    key,
    name,
    (value) => {
      if (value !== 'true' && value !== 'false') throw invalid(key, value, 'true or false');
      return value === 'true';
    },
    (v) => (v ? 'true' : undefined),
  );
}

/** A flag effect: `e-grayscale` bare, or `e-grayscale-true` as older SDKs write it. */
export function flag(key: string, name: 'grayscale' | 'contrast'): ParamSpec {
  return field(
    key,
    name,
    (value) => {
      if (value !== '' && value !== 'true') throw invalid(key, value, 'no value');
      return true;
    },
    () => '',
  );
}
