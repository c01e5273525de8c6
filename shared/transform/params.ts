import { badParam, type IkError, overLimit, unsupported } from '../http/errors';
import { colourText, parseColour, type Colour } from './colour';
import { conditionText, readCondition, type Condition } from './conditional';
import { amountText, looksLikeExpression, numberText, readExpression, readSignedNumber, type Amount, type Expression } from './expression';
import { atPath, originPath, splitParams, splitSteps } from './tokens';
import { checkSafePath } from '../security/paths';
import { FONT_FILE } from './fonts';

/** Output formats this server encodes. */
export type OutputFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif';
export type FormatParam = OutputFormat | 'auto' | 'orig';
export type Crop = 'maintain_ratio' | 'force' | 'at_max' | 'at_max_enlarge' | 'at_least' | 'maintain_ratio_no_enlarge';
export type CropMode = 'pad_resize' | 'pad_resize_no_enlarge' | 'extract' | 'pad_extract';
/** `fo-*` positions; `auto` is libvips' attention strategy, `face` the region holding the detected faces. */
export type Focus = 'center' | 'top' | 'left' | 'bottom' | 'right' | 'top_left' | 'top_right' | 'bottom_left' | 'bottom_right' | 'auto' | 'face';
/** A width or height: absolute pixels, a fraction (0 < f < 1) of the step's input side, or an expression. */
export type Dimension = { px: number } | { fraction: number } | { expr: Expression };
/** `bg`: a colour, or the image's dominant colour. */
/** `bg-blurred[_<intensity|auto>][_<brightness>]`: the image itself, scaled to fill the box and blurred, behind the padding of `cm-pad_resize`. */
export interface BlurredBackground {
  blurred: { intensity: number | 'auto'; brightness: number };
}
export type Background = Colour | 'dominant' | BlurredBackground;
/** One corner's radius for `r`: pixels, or `max` (half the shorter side). */
export type Corner = number | 'max';

export interface Border {
  width: Amount;
  colour: Colour;
}

export interface UnsharpMask {
  radius: number;
  sigma: number;
  amount: number;
  threshold: number;
}

export interface Shadow {
  /** Blur 0-15. */
  blur: number;
  /** Saturation (darkness) 0-100. */
  saturation: number;
  /** Offsets in percent of the image's width and height. */
  x: number;
  y: number;
}

export interface Gradient {
  /** Degrees clockwise from "towards the top"; 180 runs top to bottom. */
  direction: number;
  from: Colour;
  to: Colour;
  /** Where `to` is reached: a fraction of the gradient length when at most 1, else pixels. */
  stop: Amount;
}

export interface Colorize {
  colour: Colour;
  /** 0-100. */
  intensity: number;
}

/** `if-<condition>,<then>[,if-else,<else>],if-end`: each branch a chain, run on the image the step receives. */
export interface Conditional {
  condition: Condition;
  then: Step[];
  else?: Step[];
}

/** Where a layer goes on its base: the nine positions of `lfo`, and the anchors of `lap`. */
export type LayerAnchor = Exclude<Focus, 'auto' | 'face'>;

export type TextTag = 'b' | 'i' | 'strikethrough';

/** `lm`: how a layer meets the base (shared/transform/layer-mode.ts). */
export type LayerMode = 'multiply' | 'cutter' | 'cutout' | 'displace';
const LAYER_MODES: readonly LayerMode[] = ['multiply', 'cutter', 'cutout', 'displace'];

/** How a text layer draws its text. */
export interface TextStyle {
  /** Font size in pixels (`fs`). */
  fs?: Amount;
  /** `ff`: a built-in font's name, a family installed on this machine, or a font file's path in the origins (with `/`). */
  ff?: string;
  co?: Colour;
  /** `ia`; ImageKit centres by default. */
  ia?: 'left' | 'center' | 'right';
  /** `pa`, CSS shorthand: 1 to 4 values, top right bottom left. */
  pa?: Amount[];
  tg?: TextTag[];
  /** Line height in pixels (`lh`). */
  lh?: Amount;
  /** `w` in the layer's first step: the width the text wraps at. */
  width?: Dimension;
}

/**
 * `l-image,i-<path>,…,l-end` (an image from the same origins, or `i-ik_canvas` for a solid colour block) or
 * `l-text,i-<text>,…,l-end`: its position on the image under it, and its own chain, run on the layer before it is laid down.
 */
export interface Layer {
  type: 'image' | 'text';
  /** The image's path (`/` for `@@`), `ik_canvas`, or the text. */
  input: string;
  text: TextStyle;
  lx?: Amount;
  ly?: Amount;
  lxc?: Amount;
  lyc?: Amount;
  lfo?: LayerAnchor;
  lap?: LayerAnchor;
  /** Image layers are trimmed before their steps (threshold, 0 for `t-false`); ImageKit trims them by default. */
  trim: number;
  /** Solid colour blocks and text: the colour under it, from `bg` in the layer's first step. */
  fill?: Colour;
  /** `al-1` to `al-9`: text and solid colour layers drawn at that many tenths of their opacity. */
  al?: number;
  /** `lm`: how the layer meets the base; without it, laid over it. */
  lm?: LayerMode;
  steps: Step[];
}

/** The solid colour block's input: a canvas, not an image path. */
export const CANVAS = 'ik_canvas';
/** ImageKit nests layers at most this deep. */
const MAX_LAYER_DEPTH = 3;

/** One step of a chain: the parameters between two `:`, parsed and validated. */
/** `cr-<to>[_<tolerance>[_<from>]]`. */
export interface ColourReplace {
  to: Colour;
  /** 0-100: how far from `from` a pixel may be and still be replaced. */
  tolerance: number;
  from?: Colour;
}

export interface Step {
  /** Layered onto the step's image, in order, after everything else in the step. */
  layers?: Layer[];
  /** A conditional is a step of its own: a step with one has no other parameter. */
  if?: Conditional;
  w?: Dimension;
  h?: Dimension;
  ar?: Amount;
  dpr?: number;
  c?: Crop;
  cm?: CropMode;
  fo?: Focus;
  /** `z`, with `fo-face` only: above 1 frames the faces tighter, below 1 looser. */
  z?: number;
  x?: Amount;
  y?: Amount;
  xc?: Amount;
  yc?: Amount;
  bg?: Background;
  q?: number;
  f?: FormatParam;
  orig?: boolean;
  pr?: boolean;
  lo?: boolean;
  md?: boolean;
  cp?: boolean;
  bl?: number;
  grayscale?: boolean;
  contrast?: boolean;
  /** `e-sharpen` alone is 0, meaning the default strength. */
  sharpen?: number;
  usm?: UnsharpMask;
  /** Clockwise degrees; `auto` is the EXIF orientation, which every image gets anyway. */
  rt?: number | 'auto';
  fl?: 'h' | 'v' | 'h_v';
  b?: Border;
  /** Per corner: top-left, top-right, bottom-right, bottom-left. */
  r?: [Corner, Corner, Corner, Corner];
  /** `t-true` is 10 (the default threshold), `t-<n>` the threshold 1-99. */
  t?: number;
  o?: number;
  gradient?: Gradient;
  shadow?: Shadow;
  colorize?: Colorize;
  /** `cr`: pixels near `from` (the dominant colour when absent) become `to`. */
  cr?: ColourReplace;
  /** `di-`: the default image's path as written, `@@` standing for `/`; fetched when the asset is missing. */
  di?: string;
  /** `w-auto`: the width comes from the `Sec-CH-Width` client hint (shared/transform/client-hints.ts). */
  autoWidth?: true;
  /** `dpr-auto`: the device pixel ratio comes from the `Sec-CH-DPR` client hint. */
  autoDpr?: true;
}

/** Largest side ImageKit accepts in a URL. */
export const MAX_SIDE = 65535;
/** Trim threshold for `t-true`. */
export const DEFAULT_TRIM = 10;

interface ParamSpec {
  key: string;
  /** Reads the raw value into the step, or throws an IkError naming the parameter. */
  read(step: Step, value: string): void;
  /** The canonical `key-value` text, or undefined when the step does not set it or sets the default. */
  write(step: Step): string | undefined;
}

function invalid(key: string, value: string, expected: string): IkError {
  return badParam(`Invalid value "${value}" for parameter "${key}": expected ${expected}`);
}

interface Range {
  min: number;
  max: number;
  integer?: boolean;
  /** `N` for negatives is allowed. */
  signed?: boolean;
}

function readLiteral(key: string, value: string, range: Range, expected: string): number {
  const n = readSignedNumber(value);
  if (n === undefined || (n < 0 && !range.signed) || n < range.min || n > range.max || (range.integer && !Number.isInteger(n))) {
    throw invalid(key, value, expected);
  }
  return n;
}

/** A number, or where ImageKit allows them, an arithmetic expression (checked when the step runs). */
function readAmount(key: string, value: string, range: Range, expected: string): Amount {
  if (looksLikeExpression(value)) {
    const e = readExpression(value);
    if (!e) throw invalid(key, value, `${expected}, or an expression such as iw_div_2`);
    return e;
  }
  return readLiteral(key, value, range, expected);
}

function field<K extends keyof Step>(key: string, name: K, parse: (value: string) => NonNullable<Step[K]>, text: (v: NonNullable<Step[K]>) => string | undefined): ParamSpec {
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

function dimension(key: 'w' | 'h'): ParamSpec {
  const expected = 'a whole number of pixels (1 or more), a fraction between 0 and 1, or an expression';
  return field(
    key,
    key,
    (value) => {
      if (value === 'auto') throw unsupported(`"${key}-auto" is not supported (ImageKit has client hints for w and dpr only)`);
      const amount = readAmount(key, value, { min: 0, max: Infinity }, expected);
      if (typeof amount !== 'number') return { expr: amount };
      if (amount <= 0) throw invalid(key, value, expected);
      if (amount > MAX_SIDE) throw overLimit(`Parameter "${key}" is ${value}; the largest side allowed is ${MAX_SIDE}`);
      return amount < 1 ? { fraction: amount } : { px: Math.round(amount) };
    },
    (d) => ('px' in d ? String(d.px) : 'fraction' in d ? String(d.fraction) : amountText(d.expr)),
  );
}

const CROPS: readonly Crop[] = ['maintain_ratio', 'force', 'at_max', 'at_max_enlarge', 'at_least', 'maintain_ratio_no_enlarge'];
const CROP_MODES: readonly CropMode[] = ['pad_resize', 'pad_resize_no_enlarge', 'extract', 'pad_extract'];

function readCropMode(key: string, value: string): CropMode {
  if (!(CROP_MODES as readonly string[]).includes(value)) throw invalid(key, value, `one of ${CROP_MODES.join(', ')}`);
  return value as CropMode;
}

/**
 * `c-` also takes the `cm-` values: ImageKit's own conditional example writes `c-pad_resize`, and ImageKit serves it.
 * Such a value sets the crop mode (the canonical text says `cm-`); `c` and `cm` naming two different modes is a 400.
 */
function cropOrMode(spec: ParamSpec): ParamSpec {
  return {
    ...spec,
    read(step, value) {
      if (!(CROP_MODES as readonly string[]).includes(value)) return spec.read(step, value);
      if (step.cm !== undefined && step.cm !== value) throw badParam(`Parameters "c" and "cm" ask for two crop modes in one step: ${step.cm} and ${value}`);
      step.cm = value as CropMode;
    },
  };
}

/** `<key>-auto`: the value comes from a client hint at delivery; the step only records that it asked for one. */
function orAuto(flag: 'autoWidth' | 'autoDpr', spec: ParamSpec): ParamSpec {
  return {
    key: spec.key,
    read(step, value) {
      if (value === 'auto') step[flag] = true;
      else spec.read(step, value);
    },
    write: (step) => (step[flag] ? `${spec.key}-auto` : spec.write(step)),
  };
}

function choice<K extends 'c' | 'cm' | 'f' | 'fl' | 'fo'>(key: K, values: readonly NonNullable<Step[K]>[], aliases: Record<string, NonNullable<Step[K]>> = {}, defaultValue?: Step[K]): ParamSpec {
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

function bool(key: string, name: 'orig' | 'pr' | 'lo' | 'md' | 'cp'): ParamSpec {
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
function flag(key: string, name: 'grayscale' | 'contrast'): ParamSpec {
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

function amountField(key: 'x' | 'y' | 'xc' | 'yc'): ParamSpec {
  return field(key, key, (value) => readAmount(key, value, { min: 0, max: MAX_SIDE }, 'a whole number of pixels'), amountText);
}

/**
 * `name-value` sub-parameters joined by `_`, as `e-shadow-bl-15_st-40_x-N5` and `e-gradient-ld-top_right_from-red`
 * write them: a part that does not start a known sub-parameter continues the previous value.
 */
function subParams(key: string, value: string, names: readonly string[]): Map<string, string> {
  const result = new Map<string, string>();
  let current: string | undefined;
  for (const part of value === '' ? [] : value.split('_')) {
    const name = names.find((n) => part.startsWith(`${n}-`));
    if (name) {
      if (result.has(name)) throw badParam(`Parameter "${key}" sets "${name}" twice`);
      current = name;
      result.set(name, part.slice(name.length + 1));
    } else if (current) result.set(current, `${result.get(current)}_${part}`);
    else throw invalid(key, value, `sub-parameters ${names.map((n) => `${n}-…`).join(', ')} joined by _`);
  }
  return result;
}

const GRADIENT_DIRECTIONS: Record<string, number> = { top: 0, top_right: 45, right: 90, bottom_right: 135, bottom: 180, bottom_left: 225, left: 270, top_left: 315, topleft: 315 };
const DEFAULT_GRADIENT = { direction: 180, from: parseColour('e-gradient', 'FFFFFF'), to: parseColour('e-gradient', '00000000'), stop: 1 };
const DEFAULT_SHADOW: Shadow = { blur: 10, saturation: 30, x: 2, y: 2 };
/** ImageKit does not document cr's default tolerance; 35 replaces a colour and its close shades. */
const DEFAULT_CR_TOLERANCE = 35;
const DEFAULT_COLORIZE = { colour: parseColour('e-colorize', '808080'), intensity: 100 };

/** The parameters this server implements, in canonical order. */
const specs: ParamSpec[] = [
  field('ar', 'ar', (value) => {
    if (looksLikeExpression(value)) return readAmount('ar', value, { min: 0, max: Infinity }, 'an expression');
    const m = /^(\d+(?:\.\d+)?)[-_](\d+(?:\.\d+)?)$/.exec(value);
    const ratio = m ? Number(m[1]) / Number(m[2]) : NaN;
    if (!(ratio > 0 && Number.isFinite(ratio))) throw invalid('ar', value, 'width-height, for example ar-4-3');
    return ratio;
  }, (ar) => (typeof ar === 'number' ? `${ar}-1` : amountText(ar))),
  field('b', 'b', (value) => {
    // The width may be an expression with its own `_`: the colour is the last part (`b-ih_div_20_red`); `b-5-A94D34` also seen.
    const m = /^(.+)[_-]([^_-]+)$/.exec(value);
    if (!m) throw invalid('b', value, 'width_colour, for example b-5_FFF000');
    const width = readAmount('b', m[1], { min: 0, max: MAX_SIDE }, 'a border width in pixels');
    return { width, colour: parseColour('b', m[2]) };
  }, (b) => `${amountText(b.width)}_${colourText(b.colour)}`),
  field('bg', 'bg', (value) => {
    if (value === 'dominant') return 'dominant';
    if (value === 'blurred' || value.startsWith('blurred_')) {
      const [, intensity = 'auto', brightness = '0', ...rest] = value.split('_');
      if (rest.length > 0) throw invalid('bg', value, 'blurred[_<intensity 0-100 or auto>][_<brightness N255 to 255>]');
      return {
        blurred: {
          intensity: intensity === 'auto' ? 'auto' : readLiteral('bg', intensity, { min: 0, max: 100, integer: true }, 'a blur intensity from 0 to 100, or auto'),
          brightness: readLiteral('bg', brightness, { min: -255, max: 255, integer: true, signed: true }, 'a brightness from N255 to 255'),
        },
      };
    }
    if (/^(gradient_dominant|genfill)/.test(value)) {
      throw unsupported(`"bg-${value.split('_')[0]}" is not supported by this server (solid colours, bg-dominant and bg-blurred are)`);
    }
    return parseColour('bg', value);
  }, (bg) => {
    if (bg === 'dominant') return bg;
    if ('blurred' in bg) return `blurred_${bg.blurred.intensity}_${bg.blurred.brightness < 0 ? `N${-bg.blurred.brightness}` : bg.blurred.brightness}`;
    return colourText(bg);
  }),
  field('bl', 'bl', (value) => readLiteral('bl', value, { min: 1, max: 100, integer: true }, 'a whole number from 1 to 100'), numberText),
  cropOrMode(choice('c', CROPS, {}, 'maintain_ratio')),
  cropOrMode(field('cm', 'cm', (value) => {
    if (value === 'pad_extract_no_shrink') throw unsupported('"cm-pad_extract_no_shrink" is not supported by this server: ImageKit does not document what it does; use cm-pad_extract');
    return readCropMode('cm', value);
  }, String)),
  bool('cp', 'cp'),
  field('cr', 'cr', (value) => {
    const [to, tolerance, from, ...rest] = value.split('_');
    if (!to || rest.length > 0) throw invalid('cr', value, 'to[_tolerance[_from]], for example cr-red_40_blue');
    return {
      to: parseColour('cr', to),
      tolerance: tolerance === undefined ? DEFAULT_CR_TOLERANCE : readLiteral('cr', tolerance, { min: 0, max: 100 }, 'a tolerance from 0 to 100'),
      from: from === undefined ? undefined : parseColour('cr', from),
    };
  }, (c) => [colourText(c.to), String(c.tolerance), ...(c.from ? [colourText(c.from)] : [])].join('_')),
  field('di', 'di', (value) => {
    const path = atPath(value);
    if (path.split('/').every((segment) => segment === '')) throw invalid('di', value, 'a path with @@ for /, for example di-@@fallbacks@@missing.jpg');
    checkSafePath(path, 'parameter "di"');
    return value;
  }, (di) => di),
  orAuto('autoDpr', field('dpr', 'dpr', (value) => {
    return readLiteral('dpr', value, { min: 0.1, max: 5 }, 'a number from 0.1 to 5');
  }, (dpr) => (dpr === 1 ? undefined : String(dpr)))),
  field('e-colorize', 'colorize', (value) => {
    const sub = subParams('e-colorize', value, ['co', 'in']);
    return {
      colour: sub.has('co') ? parseColour('e-colorize', sub.get('co')!) : DEFAULT_COLORIZE.colour,
      intensity: sub.has('in') ? readLiteral('e-colorize', sub.get('in')!, { min: 0, max: 100 }, 'in-<0 to 100>') : DEFAULT_COLORIZE.intensity,
    };
  }, (c) => `co-${colourText(c.colour)}_in-${c.intensity}`),
  flag('e-contrast', 'contrast'),
  field('e-gradient', 'gradient', (value) => {
    const sub = subParams('e-gradient', value, ['ld', 'from', 'to', 'sp']);
    const ld = sub.get('ld');
    let direction = DEFAULT_GRADIENT.direction;
    if (ld !== undefined) direction = GRADIENT_DIRECTIONS[ld] ?? readLiteral('e-gradient', ld, { min: 0, max: 359, integer: true }, 'ld-<0 to 359 or a direction name>');
    return {
      direction,
      from: sub.has('from') ? parseColour('e-gradient', sub.get('from')!) : DEFAULT_GRADIENT.from,
      to: sub.has('to') ? parseColour('e-gradient', sub.get('to')!) : DEFAULT_GRADIENT.to,
      stop: sub.has('sp') ? readAmount('e-gradient', sub.get('sp')!, { min: 0, max: MAX_SIDE }, 'sp-<fraction or pixels>') : DEFAULT_GRADIENT.stop,
    };
  }, (g) => `ld-${g.direction}_from-${colourText(g.from)}_to-${colourText(g.to)}_sp-${amountText(g.stop)}`),
  flag('e-grayscale', 'grayscale'),
  field('e-shadow', 'shadow', (value) => {
    const sub = subParams('e-shadow', value, ['bl', 'st', 'x', 'y']);
    const read = (name: 'bl' | 'st' | 'x' | 'y', range: Range, fallback: number) => {
      const text = sub.get(name);
      return text === undefined ? fallback : readLiteral('e-shadow', text, range, `${name} in ${range.min} to ${range.max}`);
    };
    return {
      blur: read('bl', { min: 0, max: 15 }, DEFAULT_SHADOW.blur),
      saturation: read('st', { min: 0, max: 100 }, DEFAULT_SHADOW.saturation),
      x: read('x', { min: -100, max: 100, signed: true }, DEFAULT_SHADOW.x),
      y: read('y', { min: -100, max: 100, signed: true }, DEFAULT_SHADOW.y),
    };
  }, (s) => `bl-${s.blur}_st-${s.saturation}_x-${numberText(s.x)}_y-${numberText(s.y)}`),
  field('e-sharpen', 'sharpen', (value) => (value === '' || value === 'true' ? 0 : readLiteral('e-sharpen', value, { min: 1, max: 100 }, 'a number from 1 to 100')), (n) => (n === 0 ? '' : numberText(n))),
  field('e-usm', 'usm', (value) => {
    const parts = value.split('-');
    if (parts.length !== 4) throw invalid('e-usm', value, 'radius-sigma-amount-threshold, for example e-usm-2-2-0.8-0.024');
    const [radius, sigma, amount, threshold] = parts.map((p) => readLiteral('e-usm', p, { min: 0, max: 100 }, 'positive numbers'));
    if (sigma <= 0) throw invalid('e-usm', value, 'a sigma above 0');
    return { radius, sigma, amount, threshold };
  }, (u) => `${u.radius}-${u.sigma}-${u.amount}-${u.threshold}`),
  choice('f', ['auto', 'orig', 'jpeg', 'png', 'webp', 'avif', 'gif'], { jpg: 'jpeg' }),
  choice('fl', ['h', 'v', 'h_v'], { v_h: 'h_v' }),
  field('fo', 'fo', (value) => {
    const positions: readonly Focus[] = ['center', 'top', 'left', 'bottom', 'right', 'top_left', 'top_right', 'bottom_left', 'bottom_right', 'auto', 'face'];
    if ((positions as readonly string[]).includes(value)) return value as Focus;
    if (value === 'custom') throw unsupported('"fo-custom" needs stored focus areas (customCoordinates), which this server does not keep');
    if (/^[a-z][A-Za-z]*$/.test(value)) throw unsupported(`"fo-${value}" needs an object detection model, which this server does not have; use fo-face or fo-auto`);
    throw invalid('fo', value, `one of ${positions.join(', ')}`);
  }, (fo) => (fo === 'center' ? undefined : fo)),
  dimension('h'),
  bool('lo', 'lo'),
  bool('md', 'md'),
  field('o', 'o', (value) => readLiteral('o', value, { min: 0, max: 100, integer: true }, 'a whole number from 0 to 100'), numberText),
  bool('orig', 'orig'),
  bool('pr', 'pr'),
  field('q', 'q', (value) => readLiteral('q', value, { min: 1, max: 100, integer: true }, 'a whole number from 1 to 100'), numberText),
  field('r', 'r', (value) => {
    const corner = (text: string): Corner => (text === 'max' ? 'max' : readLiteral('r', text, { min: 0, max: MAX_SIDE, integer: true }, 'pixels or max'));
    const parts = value.split('_');
    if (parts.length !== 1 && parts.length !== 4) throw invalid('r', value, 'a radius, max, or four radii tl_tr_br_bl');
    const corners = parts.map(corner);
    return parts.length === 1 ? [corners[0], corners[0], corners[0], corners[0]] : (corners as Step['r'] & object);
  }, (r) => (r.every((c) => c === r[0]) ? String(r[0]) : r.join('_'))),
  field('rt', 'rt', (value) => {
    if (value === 'auto') return 'auto';
    const degrees = readLiteral('rt', value, { min: -360, max: 360, signed: true }, 'degrees (N for counter-clockwise) or auto');
    // One meaning, one text: N90 and 270 are the same turn.
    return ((degrees % 360) + 360) % 360;
  }, (rt) => (rt === 0 ? undefined : String(rt))),
  field('t', 't', (value) => (value === 'true' || value === '' ? DEFAULT_TRIM : value === 'false' ? 0 : readLiteral('t', value, { min: 1, max: 99, integer: true }, 'true, false or a threshold from 1 to 99')), (t) => (t === 0 ? undefined : t === DEFAULT_TRIM ? 'true' : String(t))),
  orAuto('autoWidth', dimension('w')),
  amountField('x'),
  amountField('xc'),
  amountField('y'),
  amountField('yc'),
  field('z', 'z', (value) => {
    const z = readLiteral('z', value, { min: 0, max: 100 }, 'a zoom above 0 and at most 100, for example z-0.5 or z-2');
    if (z === 0) throw invalid('z', value, 'a zoom above 0 and at most 100, for example z-0.5 or z-2');
    return z;
  }, (z) => (z === 1 ? undefined : numberText(z))),
];

/** ImageKit parameters that need a generative or detection model: refused with that reason. */
const needsModel = ['e-upscale', 'e-retouch', 'e-genvar', 'e-dropshadow', 'e-changebg', 'e-edit', 'e-bgremove', 'e-removedotbg'];

/**
 * ImageKit parameters this server does not implement: a URL using one gets a 400 that says so,
 * rather than an image that silently ignores it.
 */
const unimplemented = [
  'pg', 'dn', 'idn', 'e-distort',
  'l-video', 'l-subtitles', 'fol', 'fsh',
  'vc', 'ac', 'so', 'eo', 'du', 'sr',
];

const specByKey = new Map(specs.map((s) => [s.key, s]));

interface LayerSpec {
  key: string;
  /** Set for parameters of one kind of layer only. */
  only?: Layer['type'];
  read(layer: Layer, value: string): void;
  write(layer: Layer): string | undefined;
}

const ANCHORS: readonly LayerAnchor[] = ['center', 'top', 'left', 'bottom', 'right', 'top_left', 'top_right', 'bottom_left', 'bottom_right'];

function layerPosition(key: 'lx' | 'ly' | 'lxc' | 'lyc'): LayerSpec {
  return {
    key,
    read(layer, value) {
      layer[key] = readAmount(key, value, { min: -MAX_SIDE, max: MAX_SIDE, signed: true }, 'pixels (N for negative)');
    },
    write: (layer) => (layer[key] === undefined ? undefined : `${key}-${amountText(layer[key]!)}`),
  };
}

function layerAnchor(key: 'lfo' | 'lap', defaultValue: LayerAnchor): LayerSpec {
  return {
    key,
    read(layer, value) {
      if (!(ANCHORS as readonly string[]).includes(value)) throw invalid(key, value, `one of ${ANCHORS.join(', ')}`);
      layer[key] = value as LayerAnchor;
    },
    write: (layer) => (layer[key] === undefined || layer[key] === defaultValue ? undefined : `${key}-${layer[key]}`),
  };
}

/** A value percent-decoded once more, as the SDKs encode `i-` values; a lone `%` stays as it is. */
function decodedOnce(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A layer's input from `i-` (`ie-` decoded): text as it is, a path refused when it could leave the origin's root. */
function layerInput(layer: Layer, key: string, value: string): string {
  if (layer.type === 'text') {
    if (value === '') throw invalid(key, value, 'the text to draw');
    return value;
  }
  const path = value.replace(/^\/+/, '');
  if (path === '') throw invalid(key, value, 'a path with @@ for /, for example i-logos@@logo.png');
  checkSafePath(path, `parameter "${key}"`);
  return path;
}

function textField<K extends keyof TextStyle>(key: K, parse: (value: string) => NonNullable<TextStyle[K]>, text: (v: NonNullable<TextStyle[K]>) => string | undefined): LayerSpec {
  return {
    key,
    only: 'text',
    read(layer, value) {
      layer.text[key] = parse(value);
    },
    write(layer) {
      const v = layer.text[key];
      const t = v === undefined ? undefined : text(v as NonNullable<TextStyle[K]>);
      return t === undefined ? undefined : `${key}-${t}`;
    },
  };
}

const TEXT_TAGS: readonly TextTag[] = ['b', 'i', 'strikethrough'];

/**
 * Parameters of the layer itself rather than of a step in its chain, in canonical order; `i` is written for `ie`
 * too. They may stand in any step of the layer's chain (ImageKit positions a layer after its chain whatever the order).
 */
const layerSpecs: LayerSpec[] = [
  {
    key: 'i',
    read(layer, value) {
      layer.input = layerInput(layer, 'i', decodedOnce(layer.type === 'text' ? value : atPath(value)));
    },
    write: (layer) => `i-${layer.type === 'text' ? encodeURIComponent(layer.input) : layer.input.split('/').map(encodeURIComponent).join('@@')}`,
  },
  {
    key: 'ie',
    read(layer, value) {
      layer.input = layerInput(layer, 'ie', Buffer.from(decodedOnce(value), 'base64').toString('utf8'));
    },
    write: () => undefined,
  },
  layerPosition('lx'),
  layerPosition('ly'),
  layerPosition('lxc'),
  layerPosition('lyc'),
  layerAnchor('lfo', 'center'),
  layerAnchor('lap', 'top_left'),
  {
    key: 'al',
    read(layer, value) {
      layer.al = readLiteral('al', value, { min: 1, max: 9, integer: true }, 'a whole number from 1 (most transparent) to 9');
    },
    write: (layer) => (layer.al === undefined ? undefined : `al-${layer.al}`),
  },
  {
    key: 'lm',
    read(layer, value) {
      if (!(LAYER_MODES as readonly string[]).includes(value)) throw invalid('lm', value, `one of ${LAYER_MODES.join(', ')}`);
      layer.lm = value as LayerMode;
    },
    write: (layer) => (layer.lm === undefined ? undefined : `lm-${layer.lm}`),
  },
  textField('fs', (value) => readAmount('fs', value, { min: 1, max: MAX_SIDE }, 'a font size in pixels'), amountText),
  // A font family (`ff-Roboto`), or a font file from the origins with `@@` for `/` (`ff-fonts@@Brand.ttf`), kept with `/`.
  textField('ff', (encoded) => {
    // Decoded once more, as for i-: SDKs encode the space in `Open Sans` inside the transformation.
    const value = decodedOnce(encoded);
    if (/\.|@@/.test(value)) {
      const path = originPath(value);
      checkSafePath(path, 'parameter "ff"');
      if (!FONT_FILE.test(path)) throw invalid('ff', value, 'a font family name, or a font file path ending in .ttf, .otf, .woff or .woff2');
      return path;
    }
    if (!/^[A-Za-z0-9 _-]+$/.test(value)) throw invalid('ff', value, 'a font family name');
    return value;
  }, (ff) => ff.split('/').map(encodeURIComponent).join('@@')),
  textField('co', (value) => parseColour('co', value), colourText),
  textField('ia', (value) => {
    if (value !== 'left' && value !== 'center' && value !== 'right') throw invalid('ia', value, 'left, center or right');
    return value;
  }, (ia) => (ia === 'center' ? undefined : ia)),
  textField('pa', (value) => {
    const parts = value.split('_');
    // Expressions carry their own `_`: the whole value is one padding when it reads as one expression.
    const amounts = looksLikeExpression(value) && readExpression(value) ? [readExpression(value)!] : parts.map((p) => readAmount('pa', p, { min: 0, max: MAX_SIDE }, 'pixels'));
    if (amounts.length > 4) throw invalid('pa', value, 'one to four paddings joined by _, as in CSS');
    return amounts;
  }, (pa) => pa.map(amountText).join('_')),
  textField('tg', (value) => {
    const tags = value.split('_');
    if (tags.some((t) => !(TEXT_TAGS as readonly string[]).includes(t))) throw invalid('tg', value, `${TEXT_TAGS.join(', ')} joined by _`);
    return TEXT_TAGS.filter((t) => tags.includes(t));
  }, (tg) => tg.join('_')),
  textField('lh', (value) => readAmount('lh', value, { min: 1, max: MAX_SIDE }, 'a line height in pixels'), amountText),
];
const layerSpecByKey = new Map(layerSpecs.map((s) => [s.key, s]));
/** Known keys, longest first, so `e-sharpen-10` matches `e-sharpen` and `dpr-2` matches `dpr`, not `di`. */
const knownKeys = [...specByKey.keys(), ...layerSpecByKey.keys(), ...needsModel, ...unimplemented, 'n', 'if', 'if-else', 'if-end', 'l-image', 'l-text', 'l-end'].sort((a, b) => b.length - a.length);

export function splitKey(token: string): { key: string; value: string } | undefined {
  for (const key of knownKeys) {
    if (token === key) return { key, value: '' };
    if (token.startsWith(`${key}-`)) return { key, value: token.slice(key.length + 1) };
  }
  return undefined;
}

/** Output parameters act on the final encode, which a conditional branch or a layer does not control. */
const OUTPUT_KEYS = { f: 'f', orig: 'orig', q: 'q', pr: 'pr', lo: 'lo', md: 'md', cp: 'cp', di: 'di', autoWidth: 'w-auto', autoDpr: 'dpr-auto' } as const;

function refuseOutput(steps: Step[], where: string, allowed: readonly string[] = []): void {
  for (const step of steps) {
    for (const [name, key] of Object.entries(OUTPUT_KEYS)) {
      if (step[name as keyof typeof OUTPUT_KEYS] !== undefined && !allowed.includes(key)) {
        throw unsupported(`Parameter "${key}" is not supported inside ${where}; give it in a step outside`);
      }
    }
  }
}

/** The text between a block's opening token and its closing `,<closer>`, or a 400 when the block closes with the wrong token. */
function blockBody(block: string, closer: 'if-end' | 'l-end'): string {
  if (!block.endsWith(`,${closer}`)) throw badParam(`The block "${block.split(',')[0]}" must be closed with ${closer}`);
  const open = block.indexOf(',');
  return block.slice(open + 1, block.length - closer.length - 1);
}

function parseConditional(block: string, depth: number): Conditional {
  const condition = readCondition(block.split(',')[0].slice('if-'.length));
  const body = splitParams(blockBody(block, 'if-end'));
  const split = body.indexOf('if-else');
  if (split !== body.lastIndexOf('if-else')) throw badParam('A conditional has more than one if-else');
  const branch = (params: string[]) => {
    const steps = parseSteps(params.join(','), depth);
    refuseOutput(steps, 'a conditional');
    return steps;
  };
  const then = branch(split < 0 ? body : body.slice(0, split));
  const otherwise = split < 0 ? [] : branch(body.slice(split + 1));
  return otherwise.length > 0 ? { condition, then, else: otherwise } : { condition, then };
}

/** `l-image,…,l-end` at nesting `depth` (1 for a layer on the image itself). */
function parseLayer(block: string, depth: number): Layer {
  if (depth > MAX_LAYER_DEPTH) throw badParam(`Layers nest at most ${MAX_LAYER_DEPTH} deep`);
  const layer: Layer = { type: block.startsWith('l-text,') ? 'text' : 'image', input: '', text: {}, trim: DEFAULT_TRIM, steps: [] };
  const seen = new Set<string>();
  let plainInput: string | undefined;
  for (const piece of splitSteps(blockBody(block, 'l-end'))) {
    const own: string[] = [];
    for (const token of splitParams(piece)) {
      const key = splitKey(token.split(',')[0]);
      const spec = key && layerSpecByKey.get(key.key);
      if (!spec) {
        own.push(token);
        continue;
      }
      if (spec.only && spec.only !== layer.type) throw badParam(`Parameter "${key.key}" is only allowed in ${spec.only} layers`);
      if (seen.has(key.key)) throw badParam(`Parameter "${key.key}" appears twice in one layer`);
      seen.add(key.key);
      // With both, ImageKit ignores i: it is kept aside and read only when there is no ie.
      if (key.key === 'i') plainInput = key.value;
      else spec.read(layer, key.value);
    }
    layer.steps.push(parseStep(own.join(','), depth));
  }
  if (plainInput !== undefined && !seen.has('ie')) layerSpecByKey.get('i')!.read(layer, plainInput);
  if (layer.input === '') throw badParam('A layer needs its input: i-<path> or ie-<base64>');
  if (layer.al !== undefined && layer.type === 'image' && layer.input !== CANVAS) throw badParam('Parameter "al" is only allowed in text and solid colour (i-ik_canvas) layers; image layers take o');
  if (layer.lx !== undefined && layer.lxc !== undefined) throw badParam('A layer takes lx or lxc, not both');
  if (layer.ly !== undefined && layer.lyc !== undefined) throw badParam('A layer takes ly or lyc, not both');
  const [first, ...rest] = layer.steps;
  // The first step's t, bg and a text layer's w belong to the layer: the trim of its image, the colour under a solid
  // block or text, the width text wraps at.
  if (layer.type === 'text') {
    layer.text.width = first.w;
    delete first.w;
  } else {
    if (first.t !== undefined) layer.trim = first.t;
    delete first.t;
  }
  if (layer.input === CANVAS || layer.type === 'text') {
    if (first.bg === 'dominant' || (first.bg !== undefined && 'blurred' in first.bg)) {
      throw badParam(`bg-${first.bg === 'dominant' ? 'dominant' : 'blurred'} needs an image under it; a text or solid colour layer takes a colour`);
    }
    if (first.bg === undefined && layer.type === 'image') throw badParam('A solid colour layer (i-ik_canvas) needs a colour: bg-<colour>');
    layer.fill = first.bg;
    delete first.bg;
  }
  layer.steps = [first, ...rest.filter((step) => Object.keys(step).length > 0)];
  refuseOutput(layer.steps, 'a layer', ['q']);
  return layer;
}

function parseStep(text: string, depth: number): Step {
  const step: Step = {};
  const seen = new Set<string>();
  const tokens = splitParams(text);
  for (const token of tokens) {
    const parts = splitKey(token.split(',')[0]);
    if (!parts) throw badParam(`Unknown transformation parameter "${token}"`);
    const spec = specByKey.get(parts.key);
    if (parts.key === 'n') throw badParam(`Named transformation "${token}" cannot be used here (named transformations do not nest)`);
    if (parts.key === 'if-else' || parts.key === 'if-end') throw badParam(`"${parts.key}" is only allowed inside a conditional (if-…,if-end)`);
    if (parts.key === 'l-end' || layerSpecByKey.has(parts.key)) throw badParam(`"${parts.key}" is only allowed inside a layer (l-image,…,l-end)`);
    if (parts.key === 'if') {
      if (tokens.length > 1) throw badParam('A step with a conditional (if-…,if-end) must contain nothing else; put other parameters in their own step');
      step.if = parseConditional(token, depth);
      continue;
    }
    if (parts.key === 'l-image' || parts.key === 'l-text') {
      step.layers = [...(step.layers ?? []), parseLayer(token, depth + 1)];
      continue;
    }
    if (needsModel.includes(parts.key)) throw unsupported(`Transformation parameter "${parts.key}" needs an AI model, which this server does not have`);
    if (!spec) throw unsupported(`Transformation parameter "${parts.key}" is not supported by this server`);
    if (seen.has(parts.key)) throw badParam(`Parameter "${parts.key}" appears twice in one step`);
    seen.add(parts.key);
    spec.read(step, parts.value);
  }
  if (step.z !== undefined && step.fo !== 'face') throw badParam('Parameter "z" zooms around the faces: it needs fo-face in the same step');
  return step;
}

function parseSteps(text: string, depth: number): Step[] {
  return splitSteps(text)
    .map((step) => parseStep(step, depth))
    .filter((step) => Object.keys(step).length > 0);
}

/** Parses a decoded transformation string (`w-300,h-200:q-50`) into steps. */
export function parseTransformation(text: string): Step[] {
  return parseSteps(text, 0);
}

function conditionalText(c: Conditional): string {
  const parts = [`if-${conditionText(c.condition)}`, canonicalTransformation(c.then), ...(c.else ? ['if-else', canonicalTransformation(c.else)] : []), 'if-end'];
  return parts.filter((p) => p !== '').join(',');
}

function layerText(layer: Layer): string {
  const [first, ...rest] = layer.steps;
  const head = [
    ...layerSpecs.map((s) => s.write(layer)),
    layer.trim === DEFAULT_TRIM ? undefined : `t-${layer.trim === 0 ? 'false' : layer.trim}`,
    layer.fill && `bg-${colourText(layer.fill)}`,
    specByKey.get('w')!.write({ w: layer.text.width }),
    stepText(first),
  ];
  // The first piece always holds i-, so a later step never moves into the first, where t and bg mean something else.
  const chain = [head.filter((t) => t !== undefined && t !== '').join(','), ...rest.map(stepText).filter((t) => t !== '')];
  return `l-${layer.type},${chain.join(':')},l-end`;
}

function stepText(step: Step): string {
  if (step.if) return conditionalText(step.if);
  return [...specs.map((s) => s.write(step)), ...(step.layers ?? []).map(layerText)].filter((t): t is string => t !== undefined).join(',');
}

/** The last value any step gives for a key: output parameters apply to the final encode wherever they appear. */
export function lastValue<K extends keyof Step>(steps: Step[], key: K): Step[K] | undefined {
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i][key] !== undefined) return steps[i][key];
  return undefined;
}

/** One string per meaning: parameters in canonical order, defaults dropped. Used for cache keys and signatures. */
export function canonicalTransformation(steps: Step[]): string {
  return steps
    .map(stepText)
    .filter((t) => t !== '')
    .join(':');
}
