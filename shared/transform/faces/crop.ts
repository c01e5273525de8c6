import { frameSize, type Picture } from '../picture';
import type { FaceCrop, Geometry } from '../plan';
import { findFaces } from './detect';
import { faceRegion } from './region';

/**
 * What `fo-face` does to this picture, as plain geometry: cut the region around the faces found in its first frame
 * (every frame of an animation is cut there), then resize it to the sides asked for. With no face found, the crop
 * falls back to `fo-auto` (libvips attention) when both sides are known, and to a plain resize otherwise.
 */
export async function faceGeometry(p: Picture, crop: FaceCrop): Promise<Geometry[]> {
  const image = frameSize(p);
  const { width, height } = crop;
  const aspect = width !== undefined && height !== undefined ? width / height : undefined;
  const faces = await findFaces(p.frames[0]);
  if (faces.length === 0) {
    if (width !== undefined && height !== undefined) return [{ op: 'cover', width, height, focus: 'auto' }];
    return scaleTo(image, crop);
  }
  const region = faceRegion(faces, image, crop.zoom, aspect);
  const cut: Geometry = { op: 'extract', ...region };
  // The region has the output's aspect ratio up to rounding; cover trims that pixel rather than stretching.
  if (width !== undefined && height !== undefined) return [cut, { op: 'cover', width, height, focus: 'center' }];
  return [cut, ...scaleTo(region, crop)];
}

/** A resize to the one side given, keeping the aspect ratio; nothing when no side is. */
function scaleTo(size: { width: number; height: number }, crop: FaceCrop): Geometry[] {
  if (crop.width !== undefined) return [{ op: 'resize', width: crop.width, height: Math.max(1, Math.round((size.height * crop.width) / size.width)) }];
  if (crop.height !== undefined) return [{ op: 'resize', width: Math.max(1, Math.round((size.width * crop.height) / size.height)), height: crop.height }];
  return [];
}
