import { badParam, overLimit, unsupported } from '../../http/errors';
import { amountText, looksLikeExpression, numberText } from '../expression';
import type { Crop, CropMode, Focus } from './model';
import { choice, field, type ParamSpec } from './spec';
import { invalid, isOneOf, MAX_SIDE, readAmount, readChoice, readLiteral } from './values';

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

/**
 * `c-` also takes the `cm-` values: ImageKit's own conditional example writes `c-pad_resize`, and ImageKit serves it.
 * Such a value sets the crop mode (the canonical text says `cm-`); `c` and `cm` naming two different modes is a 400.
 */
function cropOrMode(spec: ParamSpec): ParamSpec {
  return {
    ...spec,
    read(step, value) {
      if (!isOneOf(CROP_MODES, value)) return spec.read(step, value);
      if (step.cm !== undefined && step.cm !== value) throw badParam(`Parameters "c" and "cm" ask for two crop modes in one step: ${step.cm} and ${value}`);
      step.cm = value;
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

function amountField(key: 'x' | 'y' | 'xc' | 'yc'): ParamSpec {
  return field(key, key, (value) => readAmount(key, value, { min: 0, max: MAX_SIDE }, 'a whole number of pixels'), amountText);
}

/** Resize and crop: the box (w, h, ar, dpr), how the image meets it (c, cm, fo, z) and where a crop starts (x, y, xc, yc). */
export const resizeParams: ParamSpec[] = [
  field('ar', 'ar', (value) => {
    if (looksLikeExpression(value)) return readAmount('ar', value, { min: 0, max: Infinity }, 'an expression');
    const m = /^(\d+(?:\.\d+)?)[-_](\d+(?:\.\d+)?)$/.exec(value);
    const ratio = m ? Number(m[1]) / Number(m[2]) : NaN;
    if (!(ratio > 0 && Number.isFinite(ratio))) throw invalid('ar', value, 'width-height, for example ar-4-3');
    return ratio;
  }, (ar) => (typeof ar === 'number' ? `${ar}-1` : amountText(ar))),
  cropOrMode(choice('c', CROPS, {}, 'maintain_ratio')),
  cropOrMode(field('cm', 'cm', (value) => {
    if (value === 'pad_extract_no_shrink') throw unsupported('"cm-pad_extract_no_shrink" is not supported by this server: ImageKit does not document what it does; use cm-pad_extract');
    return readChoice('cm', value, CROP_MODES);
  }, String)),
  orAuto('autoDpr', field('dpr', 'dpr', (value) => {
    return readLiteral('dpr', value, { min: 0.1, max: 5 }, 'a number from 0.1 to 5');
  }, (dpr) => (dpr === 1 ? undefined : String(dpr)))),
  field('fo', 'fo', (value) => {
    const positions: readonly Focus[] = ['center', 'top', 'left', 'bottom', 'right', 'top_left', 'top_right', 'bottom_left', 'bottom_right', 'auto', 'face'];
    if (isOneOf(positions, value)) return value;
    if (value === 'custom') throw unsupported('"fo-custom" needs stored focus areas (customCoordinates), which this server does not keep');
    if (/^[a-z][A-Za-z]*$/.test(value)) throw unsupported(`"fo-${value}" needs an object detection model, which this server does not have; use fo-face or fo-auto`);
    throw invalid('fo', value, `one of ${positions.join(', ')}`);
  }, (fo) => (fo === 'center' ? undefined : fo)),
  dimension('h'),
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
