import { badParam, IkError, unsupported } from '../http/errors';

/** Output formats this server encodes. */
export type OutputFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif';
export type FormatParam = OutputFormat | 'auto' | 'orig';
export type Crop = 'maintain_ratio' | 'force' | 'at_max' | 'at_max_enlarge' | 'at_least';
/** A width or height: absolute pixels, or a fraction (0 < f < 1) of the step's input side. */
export type Dimension = { px: number } | { fraction: number };

/** One step of a chain: the parameters between two `:`, parsed and validated. */
export interface Step {
  w?: Dimension;
  h?: Dimension;
  ar?: number;
  dpr?: number;
  c?: Crop;
  q?: number;
  f?: FormatParam;
  orig?: boolean;
}

/** Largest side ImageKit accepts in a URL. */
export const MAX_SIDE = 65535;

interface ParamSpec {
  key: string;
  /** Reads the raw value into the step, or throws an IkError naming the parameter. */
  read(step: Step, value: string): void;
  /** The canonical `key-value` text, or undefined when the step does not set it or sets the default. */
  write(step: Step): string | undefined;
}

const NUMBER = /^\d+(\.\d+)?$|^\.\d+$/;

function invalid(key: string, value: string, expected: string): IkError {
  return badParam(`Invalid value "${value}" for parameter "${key}": expected ${expected}`);
}

/** Operands of ImageKit's arithmetic expressions (`iw_div_2`, `bh_mul_0.5`). */
const EXPRESSION = /^(iw|ih|iar|cw|ch|car|bw|bh|bar|N?\d+(\.\d+)?)_(add|sub|mul|div|mod|pow)_/;

function readNumber(key: string, value: string, expected: string): number {
  if (EXPRESSION.test(value) || /^(iw|ih|iar|cw|ch|car|bw|bh|bar)$/.test(value)) {
    throw unsupported(`Arithmetic expressions are not supported (parameter "${key}", value "${value}")`);
  }
  if (!NUMBER.test(value)) throw invalid(key, value, expected);
  return Number(value);
}

function dimension(key: 'w' | 'h'): ParamSpec {
  const expected = 'a whole number of pixels (1 or more) or a fraction between 0 and 1';
  return {
    key,
    read(step, value) {
      if (value === 'auto') throw unsupported(`"${key}-auto" (client hints) is not supported`);
      const n = readNumber(key, value, expected);
      if (n <= 0) throw invalid(key, value, expected);
      if (n > MAX_SIDE) throw new IkError(400, 'ELIMIT', `Parameter "${key}" is ${value}; the largest side allowed is ${MAX_SIDE}`);
      step[key] = n < 1 ? { fraction: n } : { px: Math.round(n) };
    },
    write(step) {
      const d = step[key];
      if (!d) return undefined;
      return `${key}-${'px' in d ? d.px : d.fraction}`;
    },
  };
}

function choice<K extends 'c' | 'f'>(key: K, values: readonly NonNullable<Step[K]>[], aliases: Record<string, NonNullable<Step[K]>>, defaultValue?: Step[K]): ParamSpec {
  return {
    key,
    read(step, value) {
      const v = (aliases[value] ?? value) as NonNullable<Step[K]>;
      if (!values.includes(v)) throw invalid(key, value, `one of ${[...values, ...Object.keys(aliases)].join(', ')}`);
      step[key] = v;
    },
    write(step) {
      const v = step[key];
      return v === undefined || v === defaultValue ? undefined : `${key}-${v}`;
    },
  };
}

/** The parameters this server implements, in canonical order. */
const specs: ParamSpec[] = [
  {
    key: 'ar',
    read(step, value) {
      const m = /^([\d.]+)[-_]([\d.]+)$/.exec(value);
      const width = m ? Number(m[1]) : NaN;
      const height = m ? Number(m[2]) : NaN;
      if (!(width > 0 && height > 0)) throw invalid('ar', value, 'width-height, for example ar-4-3');
      step.ar = width / height;
    },
    write: (step) => (step.ar === undefined ? undefined : `ar-${step.ar}`),
  },
  choice('c', ['maintain_ratio', 'force', 'at_max', 'at_max_enlarge', 'at_least'], {}, 'maintain_ratio'),
  {
    key: 'dpr',
    read(step, value) {
      if (value === 'auto') throw unsupported('"dpr-auto" (client hints) is not supported');
      const n = readNumber('dpr', value, 'a number from 0.1 to 5');
      if (n < 0.1 || n > 5) throw invalid('dpr', value, 'a number from 0.1 to 5');
      step.dpr = n;
    },
    write: (step) => (step.dpr === undefined || step.dpr === 1 ? undefined : `dpr-${step.dpr}`),
  },
  choice('f', ['auto', 'orig', 'jpeg', 'png', 'webp', 'avif', 'gif'], { jpg: 'jpeg' }),
  dimension('h'),
  {
    key: 'orig',
    read(step, value) {
      if (value !== 'true' && value !== 'false') throw invalid('orig', value, 'true or false');
      step.orig = value === 'true';
    },
    write: (step) => (step.orig ? 'orig-true' : undefined),
  },
  {
    key: 'q',
    read(step, value) {
      const n = readNumber('q', value, 'a whole number from 1 to 100');
      if (!Number.isInteger(n) || n < 1 || n > 100) throw invalid('q', value, 'a whole number from 1 to 100');
      step.q = n;
    },
    write: (step) => (step.q === undefined ? undefined : `q-${step.q}`),
  },
  dimension('w'),
];

/**
 * ImageKit parameters this server does not implement: a URL using one gets a 400 that says so,
 * rather than an image that silently ignores it.
 */
const unimplemented = [
  'bg', 'b', 'cm', 'fo', 'x', 'y', 'xc', 'yc', 'z', 'r', 'rt', 'bl', 'n', 'di', 'fl', 'o', 't', 'pg',
  'pr', 'lo', 'cp', 'md', 'cr', 'dn', 'idn',
  'e-grayscale', 'e-contrast', 'e-sharpen', 'e-usm', 'e-shadow', 'e-gradient', 'e-colorize', 'e-distort',
  'e-upscale', 'e-retouch', 'e-genvar', 'e-dropshadow', 'e-changebg', 'e-edit', 'e-bgremove', 'e-removedotbg',
  'l-image', 'l-text', 'l-video', 'l-subtitles', 'l-end', 'i', 'ie', 'lx', 'ly', 'lxc', 'lyc', 'lap', 'lfo', 'lm',
  'fs', 'ff', 'co', 'ia', 'pa', 'al', 'tg', 'lh', 'fol', 'fsh',
  'if', 'if-else', 'if-end',
  'vc', 'ac', 'so', 'eo', 'du', 'sr',
];

const specByKey = new Map(specs.map((s) => [s.key, s]));
/** Known keys, longest first, so `e-sharpen-10` matches `e-sharpen` and `dpr-2` matches `dpr`, not `di`. */
const knownKeys = [...specByKey.keys(), ...unimplemented].sort((a, b) => b.length - a.length);

function splitKey(token: string): { key: string; value: string } | undefined {
  for (const key of knownKeys) {
    if (token === key) return { key, value: '' };
    if (token.startsWith(`${key}-`)) return { key, value: token.slice(key.length + 1) };
  }
  return undefined;
}

function parseStep(text: string): Step {
  const step: Step = {};
  const seen = new Set<string>();
  for (const token of text.split(',')) {
    if (token === '') continue;
    const parts = splitKey(token);
    if (!parts) throw badParam(`Unknown transformation parameter "${token}"`);
    const spec = specByKey.get(parts.key);
    if (!spec) throw unsupported(`Transformation parameter "${parts.key}" is not supported by this server`);
    if (seen.has(parts.key)) throw badParam(`Parameter "${parts.key}" appears twice in one step`);
    seen.add(parts.key);
    spec.read(step, parts.value);
  }
  return step;
}

/** Parses a decoded transformation string (`w-300,h-200:q-50`) into steps. */
export function parseTransformation(text: string): Step[] {
  return text
    .split(':')
    .map(parseStep)
    .filter((step) => Object.keys(step).length > 0);
}

/** One string per meaning: parameters in canonical order, defaults dropped. Used for cache keys and signatures. */
export function canonicalTransformation(steps: Step[]): string {
  return steps
    .map((step) => specs.map((s) => s.write(step)).filter((t): t is string => t !== undefined).join(','))
    .filter((t) => t !== '')
    .join(':');
}
