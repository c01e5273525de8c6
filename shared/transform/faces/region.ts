import type { FaceBox } from './blazeface';
import type { Size } from '../grammar/model';

export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * How much larger than the detected faces the region is at `z-1`. BlazeFace's box spans brows to chin; this keeps
 * the whole head and some room around it, as ImageKit's face crops do.
 */
const MARGIN = 1.8;

/**
 * The part of an image (size `image`) to keep around `faces`: the box holding them all, grown by the margin and
 * divided by `zoom` (above 1 tighter, below 1 looser), widened or heightened to `aspect` (width / height) when
 * given, shrunk to fit the image if it must, and slid inside it. Whole pixels.
 */
export function faceRegion(faces: FaceBox[], image: Size, zoom: number, aspect?: number): Region {
  const left = Math.min(...faces.map((f) => f.left));
  const top = Math.min(...faces.map((f) => f.top));
  const right = Math.max(...faces.map((f) => f.left + f.width));
  const bottom = Math.max(...faces.map((f) => f.top + f.height));
  let width = ((right - left) * MARGIN) / zoom;
  let height = ((bottom - top) * MARGIN) / zoom;
  if (aspect !== undefined) {
    if (width / height < aspect) width = height * aspect;
    else height = width / aspect;
    const fit = Math.min(1, image.width / width, image.height / height);
    width *= fit;
    height *= fit;
  }
  const w = Math.max(1, Math.min(image.width, Math.round(width)));
  const h = Math.max(1, Math.min(image.height, Math.round(height)));
  const slide = (centre: number, side: number, room: number) => Math.min(Math.max(0, Math.round(centre - side / 2)), room - side);
  return { left: slide((left + right) / 2, w, image.width), top: slide((top + bottom) / 2, h, image.height), width: w, height: h };
}
