import { unsupported } from '../../http/errors';
import { colourText, parseColour } from '../colour';
import { amountText, numberText } from '../expression';
import type { Corner, Shadow, Step } from './model';
import { choice, field, flag, type ParamSpec } from './spec';
import { DEFAULT_TRIM, invalid, MAX_SIDE, readAmount, readLiteral, subParams, type Range } from './values';

const GRADIENT_DIRECTIONS: Record<string, number> = { top: 0, top_right: 45, right: 90, bottom_right: 135, bottom: 180, bottom_left: 225, left: 270, top_left: 315, topleft: 315 };
const DEFAULT_GRADIENT = { direction: 180, from: parseColour('e-gradient', 'FFFFFF'), to: parseColour('e-gradient', '00000000'), stop: 1 };
const DEFAULT_SHADOW: Shadow = { blur: 10, saturation: 30, x: 2, y: 2 };
/** ImageKit does not document cr's default tolerance; 35 replaces a colour and its close shades. */
const DEFAULT_CR_TOLERANCE = 35;
const DEFAULT_COLORIZE = { colour: parseColour('e-colorize', '808080'), intensity: 100 };

/** Effects and enhancements: borders and backgrounds, blur and sharpening, colour, rotation, corners, trim. */
export const effectParams: ParamSpec[] = [
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
  field('cr', 'cr', (value) => {
    const [to, tolerance, from, ...rest] = value.split('_');
    if (!to || rest.length > 0) throw invalid('cr', value, 'to[_tolerance[_from]], for example cr-red_40_blue');
    return {
      to: parseColour('cr', to),
      tolerance: tolerance === undefined ? DEFAULT_CR_TOLERANCE : readLiteral('cr', tolerance, { min: 0, max: 100 }, 'a tolerance from 0 to 100'),
      from: from === undefined ? undefined : parseColour('cr', from),
    };
  }, (c) => [colourText(c.to), String(c.tolerance), ...(c.from ? [colourText(c.from)] : [])].join('_')),
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
  choice('fl', ['h', 'v', 'h_v'], { v_h: 'h_v' }),
  field('o', 'o', (value) => readLiteral('o', value, { min: 0, max: 100, integer: true }, 'a whole number from 0 to 100'), numberText),
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
];
