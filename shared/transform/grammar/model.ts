/**
 * The transformation data model: what a parsed `tr` string is. Types only; the grammar that reads and writes
 * it is beside this file (values.ts, the parameter families, parse.ts, print.ts).
 */
import type { Colour } from '../colour';
import type { Amount, Expression } from '../expression';
import type { OutputFormat } from '../../http/headers';

export type { OutputFormat };
export type FormatParam = OutputFormat | 'auto' | 'orig';

export interface Size {
  width: number;
  height: number;
}

/**
 * The condition of ImageKit's `if-<condition>,…,if-end`: comparisons `<prop>_<op>_<value>` joined by `_and_` and
 * `_or_`, `and` binding tighter. `w, h, ar` are the image as the step receives it, `iw, ih, iar` the original.
 */
export type ConditionProp = 'w' | 'h' | 'ar' | 'iw' | 'ih' | 'iar';
export type ConditionOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';

export interface Comparison {
  prop: ConditionProp;
  op: ConditionOp;
  value: number;
}

/** Alternatives (or) of conjunctions (and). */
export type Condition = Comparison[][];

export type Crop = 'maintain_ratio' | 'force' | 'at_max' | 'at_max_enlarge' | 'at_least' | 'maintain_ratio_no_enlarge';
export type CropMode = 'pad_resize' | 'pad_resize_no_enlarge' | 'extract' | 'pad_extract';
/** `fo-*` positions; `auto` is libvips' attention strategy, `face` the region holding the detected faces. */
export type Focus = 'center' | 'top' | 'left' | 'bottom' | 'right' | 'top_left' | 'top_right' | 'bottom_left' | 'bottom_right' | 'auto' | 'face';
/** A width or height: absolute pixels, a fraction (0 < f < 1) of the step's input side, or an expression. */
export type Dimension = { px: number } | { fraction: number } | { expr: Expression };
/** `bg-blurred[_<intensity|auto>][_<brightness>]`: the image itself, scaled to fill the box and blurred, behind the padding of `cm-pad_resize`. */
export interface BlurredBackground {
  blurred: { intensity: number | 'auto'; brightness: number };
}
/** `bg`: a colour, the image's dominant colour, or the image blurred. */
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

/** `cr-<to>[_<tolerance>[_<from>]]`. */
export interface ColourReplace {
  to: Colour;
  /** 0-100: how far from `from` a pixel may be and still be replaced. */
  tolerance: number;
  from?: Colour;
}

/** One step of a chain: the parameters between two `:`, parsed and validated. */
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
