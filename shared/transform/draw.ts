import type { Colour } from './colour';
import type { Corner, Gradient, Size } from './grammar/model';

/** SVG pictures that sharp rasterises for masks and overlays; numbers only, nothing from the URL is written as text. */

const svg = (size: Size, body: string) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}">${body}</svg>`);

const rgb = (c: Colour) => `rgb(${c.r},${c.g},${c.b})`;

/** An opaque shape with rounded corners (tl, tr, br, bl); `max` is half the shorter side, and all four `max` is an ellipse. */
export function roundedMask(size: Size, corners: readonly Corner[]): Buffer {
  const { width: w, height: h } = size;
  if (corners.every((c) => c === 'max')) return svg(size, `<ellipse cx="${w / 2}" cy="${h / 2}" rx="${w / 2}" ry="${h / 2}" fill="#fff"/>`);
  const limit = Math.min(w, h) / 2;
  const [tl, tr, br, bl] = corners.map((c) => Math.min(c === 'max' ? limit : c, limit));
  const d = [
    `M${tl},0`,
    `H${w - tr}`,
    `A${tr},${tr} 0 0 1 ${w},${tr}`,
    `V${h - br}`,
    `A${br},${br} 0 0 1 ${w - br},${h}`,
    `H${bl}`,
    `A${bl},${bl} 0 0 1 0,${h - bl}`,
    `V${tl}`,
    `A${tl},${tl} 0 0 1 ${tl},0`,
    'Z',
  ].join(' ');
  return svg(size, `<path d="${d}" fill="#fff"/>`);
}

/**
 * A linear gradient over the whole image, CSS-style: `direction` degrees clockwise from "towards the top", the
 * line long enough that the corners reach the ends; `stopAt` (0-1) is where `to` is reached.
 */
export function linearGradient(size: Size, gradient: Gradient, stopAt: number): Buffer {
  const { width: w, height: h } = size;
  const radians = (gradient.direction * Math.PI) / 180;
  const dx = Math.sin(radians);
  const dy = -Math.cos(radians);
  const half = (Math.abs(w * dx) + Math.abs(h * dy)) / 2;
  const [x1, y1, x2, y2] = [w / 2 - dx * half, h / 2 - dy * half, w / 2 + dx * half, h / 2 + dy * half];
  const stop = (offset: number, c: Colour) => `<stop offset="${offset}" stop-color="${rgb(c)}" stop-opacity="${c.alpha}"/>`;
  return svg(
    size,
    `<defs><linearGradient id="g" gradientUnits="userSpaceOnUse" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}">${stop(0, gradient.from)}${stop(stopAt, gradient.to)}</linearGradient></defs>` +
      `<rect width="${w}" height="${h}" fill="url(#g)"/>`,
  );
}
