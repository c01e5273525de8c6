import { checkSafePath } from '../../security/paths';
import { colourText, parseColour } from '../colour';
import { amountText, looksLikeExpression, readExpression } from '../expression';
import { FONT_FILE } from '../fonts';
import { atPath, originPath } from '../tokens';
import type { Layer, LayerAnchor, LayerMode, TextStyle, TextTag } from './model';
import { decodedOnce, invalid, MAX_SIDE, isOneOf, readAmount, readChoice, readLiteral } from './values';

const LAYER_MODES: readonly LayerMode[] = ['multiply', 'cutter', 'cutout', 'displace'];
export interface LayerSpec {
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
      layer[key] = readChoice(key, value, ANCHORS);
    },
    write: (layer) => (layer[key] === undefined || layer[key] === defaultValue ? undefined : `${key}-${layer[key]}`),
  };
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
export const layerParams: LayerSpec[] = [
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
      layer.lm = readChoice('lm', value, LAYER_MODES);
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
    if (tags.some((t) => !isOneOf(TEXT_TAGS, t))) throw invalid('tg', value, `${TEXT_TAGS.join(', ')} joined by _`);
    return TEXT_TAGS.filter((t) => tags.includes(t));
  }, (tg) => tg.join('_')),
  textField('lh', (value) => readAmount('lh', value, { min: 1, max: MAX_SIDE }, 'a line height in pixels'), amountText),
];

export const layerParamByKey = new Map(layerParams.map((s) => [s.key, s]));
