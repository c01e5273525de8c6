import type sharp from 'sharp';
import { badParam } from '../http/errors';
import type { Variables } from './expression';
import type { Layer, LayerMode } from './grammar/model';
import { eachFrame, type Frame, type Picture } from './picture';
import { pixels } from './plan';

/** Where a drawn layer lands on the base: the visible part, already cut to the base. */
export interface Placement {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * libvips' blend modes for `lm`, as ImageKit describes them: `multiply` darkens the base by the layer; `cutout`
 * punches the layer's shape out of the base (`dest-out`); `cutter` keeps the base only inside the layer's shape
 * (`dest-in`) and is then trimmed to the layer's box.
 */
const BLENDS: Record<Exclude<LayerMode, 'displace'>, sharp.Blend> = { multiply: 'multiply', cutout: 'dest-out', cutter: 'dest-in' };

/**
 * Lays the piece (the visible part of a drawn layer, 4 channels unless opaque) onto every frame of the base in the
 * layer's mode; normally over it.
 */
export async function layDown(base: Picture, piece: Frame, at: Placement, layer: Layer, vars: Variables): Promise<Picture> {
  if (layer.lm === 'displace') return eachFrame(base, (s, frame) => s.composite([{ input: displaced(frame, piece, at, layer, vars), raw: { width: frame.width, height: frame.height, channels: frame.channels }, left: 0, top: 0, blend: 'source' }]));
  const blend = layer.lm ? BLENDS[layer.lm] : 'over';
  const laid = await eachFrame(base, (s) => s.composite([{ input: piece.data, raw: { width: at.width, height: at.height, channels: piece.channels }, left: at.left, top: at.top, blend }]));
  // libvips applies an extract before a composite in one pipeline, so the trim is a pass of its own.
  return layer.lm === 'cutter' ? eachFrame(laid, (s) => s.extract(at)) : laid;
}

/**
 * `lm-displace`: the layer is a displacement map over its box. Each base pixel there is taken from the base pixel
 * offset by the map's red (horizontal) and green (vertical) channels, 128 meaning no move and 0 or 255 a move of
 * the layer's `x` or `y` pixels back or forward; the map itself is not drawn.
 */
function displaced(frame: Frame, map: Frame, at: Placement, layer: Layer, vars: Variables): Buffer {
  const first = layer.steps[0];
  if (first?.x === undefined && first?.y === undefined) throw badParam('"lm-displace" needs the displacement magnitude: x and/or y in pixels, in the layer');
  const magnitude = { x: first.x === undefined ? 0 : pixels(first.x, vars, 'x'), y: first.y === undefined ? 0 : pixels(first.y, vars, 'y') };
  const out = Buffer.from(frame.data);
  const c = frame.channels;
  for (let y = 0; y < at.height; y++) {
    for (let x = 0; x < at.width; x++) {
      const m = (y * at.width + x) * map.channels;
      const sx = Math.min(frame.width - 1, Math.max(0, at.left + x + Math.round(((map.data[m] - 128) / 127) * magnitude.x)));
      const sy = Math.min(frame.height - 1, Math.max(0, at.top + y + Math.round(((map.data[m + 1] - 128) / 127) * magnitude.y)));
      frame.data.copy(out, ((at.top + y) * frame.width + at.left + x) * c, (sy * frame.width + sx) * c, (sy * frame.width + sx) * c + c);
    }
  }
  return out;
}
