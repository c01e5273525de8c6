import { execFile } from 'node:child_process';
import sharp from 'sharp';
import { badParam, overLimit, unsupported } from '../http/errors';
import { TRANSPARENT, type Colour } from './colour';
import { evaluate, type Variables } from './expression';
import type { Size, TextStyle } from './grammar/model';
import { toFrame, type Picture } from './picture';
import { pixels, resolveDimension } from './plan';
import type { SizeCheck } from './step';
import { remainingTimeout } from './deadline';
import { builtInFont, builtInNames, customFont, DEFAULT_FONT, FONT_FILE, type Font, type FontStyle } from './fonts';

/** Font size when `fs` is not given: the size of ImageKit's documented text layer example. */
export const DEFAULT_FONT_SIZE = 45;
/** ImageKit refuses text layers larger than this either way. */
const MAX_TEXT_SIDE = 16383;

let installed: Promise<Map<string, string> | null> | undefined;

/**
 * The font families fontconfig knows, by lower-case name with `_` for spaces (`dejavu_sans`), read once and without
 * blocking; null when fontconfig's fc-list cannot be run, and then any family is passed to pango, which falls back
 * to its default.
 */
function installedFamilies(): Promise<Map<string, string> | null> {
  installed ??= new Promise((resolve) => {
    execFile('fc-list', ['--format', '%{family}\\n'], { encoding: 'utf8', timeout: 5000 }, (error, stdout) => {
      if (error) return resolve(null);
      const names = stdout.split(/[\n,]/).map((n) => n.trim()).filter((n) => n !== '');
      resolve(new Map(names.map((n) => [n.toLowerCase().replace(/ /g, '_'), n])));
    });
  });
  return installed;
}

/** Loads a custom font file's bytes from the endpoint's origins; 404 ENOENT when it is missing. */
export type FontLoader = (path: string) => Promise<Buffer>;

/**
 * `ff`: a built-in font (shipped, the default), a font file from the origins (`fonts/Brand.ttf`), or a family
 * installed on this machine; 400 EUNSUPPORTED for a family this server does not have. Pango gets a family name and,
 * for shipped and custom fonts, the file, so the host's fonts do not matter.
 */
async function chooseFont(ff: string | undefined, style: FontStyle, loadFont: FontLoader | undefined): Promise<Font | { family: string }> {
  if (ff === undefined) return builtInFont(DEFAULT_FONT, style)!;
  const builtIn = builtInFont(ff, style);
  if (builtIn) return builtIn;
  if (FONT_FILE.test(ff)) {
    if (!loadFont) throw unsupported('Custom fonts are not available here');
    return customFont(ff, await loadFont(ff));
  }
  const families = await installedFamilies();
  if (!families) return { family: ff };
  const found = families.get(ff.toLowerCase().replace(/ /g, '_'));
  if (!found) throw unsupported(`Font "ff-${ff}" is neither one of ImageKit's built-in fonts (${builtInNames().join(', ')}) nor installed on this server; a font file from your origins works too: ff-<path>@@<file>.ttf`);
  return { family: found };
}

const escapeMarkup = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

const hex = (c: Colour) => `#${[c.r, c.g, c.b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/** Pango markup for the text: escaped, so nothing in the URL is read as markup, in the colour and tags asked for. */
function markup(text: string, style: TextStyle): string {
  const colour = style.co ?? { r: 0, g: 0, b: 0, alpha: 1 };
  let inner = escapeMarkup(text);
  if (style.tg?.includes('b')) inner = `<b>${inner}</b>`;
  if (style.tg?.includes('i')) inner = `<i>${inner}</i>`;
  if (style.tg?.includes('strikethrough')) inner = `<s>${inner}</s>`;
  return `<span foreground="${hex(colour)}" alpha="${Math.max(1, Math.round(colour.alpha * 100))}%">${inner}</span>`;
}

/** `pa` as CSS reads it: one value for all sides, two for vertical and horizontal, three for top, horizontal, bottom. */
function padding(style: TextStyle, vars: Variables): { top: number; right: number; bottom: number; left: number } {
  const [top = 0, right = top, bottom = top, left = right] = (style.pa ?? []).map((a) => Math.max(0, pixels(a, vars, 'pa')));
  return { top, right, bottom, left };
}

/**
 * Pango and cairo refuse a text surface they cannot allocate before the size check below can: that is a text layer too
 * large, said without libvips' words (which go to the log). Other failures, timeouts among them, pass on unchanged.
 */
function drawFailure(error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (!/out of memory|too big/i.test(message)) return error;
  return overLimit('The text layer is too large to draw: use a smaller font size (fs), a width (w) or shorter text', message);
}

/**
 * A text layer's picture, drawn with pango through sharp in the font `ff` names, on `fill` with its padding. Sizes and expressions are in pixels of the base under the layer.
 */
export async function drawText(text: string, style: TextStyle, fill: Colour | undefined, base: Size, check: SizeCheck, loadFont?: FontLoader): Promise<Picture> {
  const vars: Variables = { bw: base.width, bh: base.height, bar: base.width / base.height };
  const size = style.fs === undefined ? DEFAULT_FONT_SIZE : evaluate(style.fs, vars, 'fs');
  if (!(size > 0)) throw badParam(`Parameter "fs" evaluates to ${size}; a font size must be above 0`);
  const width = resolveDimension(style.width, base.width, vars, 'w');
  const lineHeight = style.lh === undefined ? undefined : evaluate(style.lh, vars, 'lh');
  const font = await chooseFont(style.ff, { bold: style.tg?.includes('b') ?? false, italic: style.tg?.includes('i') ?? false }, loadFont);
  // At 72 dpi a point is a pixel, so `fs` is the font size in pixels. The comma ends the family list, so a family
  // whose name ends in a style or size word (`Foo Bold`, `Foo 2`) is still read as a family.
  const drawn = await toFrame(
    sharp({
      text: {
        text: markup(text, style),
        font: `${font.family}, ${size}`,
        ...('file' in font && { fontfile: font.file }),
        dpi: 72,
        rgba: true,
        align: style.ia === 'left' ? 'left' : style.ia === 'right' ? 'right' : 'centre',
        ...(width !== undefined && { width, wrap: 'word' as const }),
        ...(lineHeight !== undefined && { spacing: lineHeight }),
      },
    }).timeout(remainingTimeout()),
  ).catch((error: unknown) => {
    throw drawFailure(error);
  });
  const pad = padding(style, vars);
  const box = { width: drawn.width + pad.left + pad.right, height: drawn.height + pad.top + pad.bottom };
  if (box.width > MAX_TEXT_SIDE || box.height > MAX_TEXT_SIDE) {
    throw overLimit(`The text layer would be ${box.width}x${box.height}; at most ${MAX_TEXT_SIDE} pixels a side`);
  }
  check(box);
  const canvas = sharp({ create: { ...box, channels: 4, background: fill ?? TRANSPARENT } }).composite([
    { input: drawn.data, raw: { width: drawn.width, height: drawn.height, channels: drawn.channels }, left: pad.left, top: pad.top },
  ]);
  return { frames: [await toFrame(canvas)] };
}
