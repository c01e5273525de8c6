import { badParam } from '../http/errors';
import { COLOUR_NAMES } from './colour-names';

/** An sRGB colour with alpha from 0 (transparent) to 1 (opaque), as sharp takes it. */
export interface Colour {
  r: number;
  g: number;
  b: number;
  alpha: number;
}

export const BLACK: Colour = { r: 0, g: 0, b: 0, alpha: 1 };
export const WHITE: Colour = { r: 255, g: 255, b: 255, alpha: 1 };
export const TRANSPARENT: Colour = { r: 0, g: 0, b: 0, alpha: 0 };

const hexByte = (text: string) => parseInt(text, 16);

/**
 * An ImageKit colour: 6 hex digits (`F3F3F3`), 3 hex digits (`fff`, as the SDK documents), 8 characters whose
 * last two are a DECIMAL opacity 00-99 (`AAFF0040` is 40 % opaque, not hex alpha), or a colour keyword.
 * Undefined when the text is none of these.
 */
export function readColour(text: string): Colour | undefined {
  const named = COLOUR_NAMES.get(text.toLowerCase());
  const hex = named ?? text;
  if (/^[0-9a-f]{3}$/i.test(hex)) return { r: hexByte(hex[0].repeat(2)), g: hexByte(hex[1].repeat(2)), b: hexByte(hex[2].repeat(2)), alpha: 1 };
  const m = /^([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})(\d\d)?$/i.exec(hex);
  if (!m) return undefined;
  return { r: hexByte(m[1]), g: hexByte(m[2]), b: hexByte(m[3]), alpha: m[4] === undefined ? 1 : Number(m[4]) / 100 };
}

/** readColour, or a 400 naming the parameter. */
export function parseColour(key: string, text: string): Colour {
  const colour = readColour(text);
  if (!colour) throw badParam(`Invalid colour "${text}" for parameter "${key}": expected RRGGBB, RRGGBBOO (OO a decimal opacity 00-99) or a colour name`);
  return colour;
}

/** Canonical text: upper-case RRGGBB, then the decimal opacity when not opaque. */
export function colourText(c: Colour): string {
  const hex = [c.r, c.g, c.b].map((v) => v.toString(16).padStart(2, '0')).join('').toUpperCase();
  return c.alpha >= 1 ? hex : `${hex}${String(Math.round(c.alpha * 100)).padStart(2, '0')}`;
}
