import { overLimit } from '../http/errors';
import { settings } from '../settings';

/** What a transformation asks for, counted on its text so named and future parameters are counted too. */
export interface TransformationCounts {
  steps: number;
  layers: number;
  /** Characters of the longest text-layer text. */
  longestText: number;
}

/** Text of an `i-` (URL-encoded once more by the SDKs) or `ie-` (base64) layer input, as it will be drawn. */
function layerText(token: string): string {
  if (token.startsWith('ie-')) return Buffer.from(token.slice(3), 'base64').toString('utf8');
  try {
    return decodeURIComponent(token.slice(2));
  } catch {
    return token.slice(2);
  }
}

/** Counts steps (`:`-separated, layer steps included), layers (`l-…`) and text-layer lengths in decoded transformation texts. */
export function countTransformation(texts: string[]): TransformationCounts {
  const counts: TransformationCounts = { steps: 0, layers: 0, longestText: 0 };
  for (const text of texts) {
    let inTextLayer = false;
    for (const step of text.split(':')) {
      if (step !== '') counts.steps++;
      for (const token of step.split(',')) {
        if (token === 'l-end') inTextLayer = false;
        else if (token.startsWith('l-')) {
          counts.layers++;
          inTextLayer = token === 'l-text';
        } else if (inTextLayer && (token.startsWith('i-') || token.startsWith('ie-'))) {
          counts.longestText = Math.max(counts.longestText, [...layerText(token)].length);
        }
      }
    }
  }
  return counts;
}

/** Refuses a transformation with more steps, layers or text than the settings allow: 400 ELIMIT. */
export function checkTransformationLimits(texts: string[]): void {
  const s = settings();
  const counts = countTransformation(texts);
  if (counts.steps > s.MAX_STEPS) throw overLimit(`The transformation has ${counts.steps} steps; at most ${s.MAX_STEPS} are allowed`);
  if (counts.layers > s.MAX_LAYERS) throw overLimit(`The transformation has ${counts.layers} layers; at most ${s.MAX_LAYERS} are allowed`);
  if (counts.longestText > s.MAX_TEXT_LENGTH) throw overLimit(`A text layer has ${counts.longestText} characters; at most ${s.MAX_TEXT_LENGTH} are allowed`);
}

/** What the image header says, as sharp's metadata gives it. */
export interface InputHeader {
  width?: number;
  pages?: number;
  pageHeight?: number;
  height?: number;
}

/** Animated inputs cost every frame's pixels: refused, from the header, when their sum is over MAX_ANIMATED_PIXELS. */
export function checkAnimation(meta: InputHeader): void {
  const pages = meta.pages ?? 1;
  if (pages <= 1 || !meta.width) return;
  const total = meta.width * (meta.pageHeight ?? meta.height ?? 0) * pages;
  const max = settings().MAX_ANIMATED_PIXELS;
  if (total > max) throw overLimit(`The animation has ${pages} frames totalling ${total} pixels, more than ${max}`);
}

/** WebP cannot encode a side over 16383 pixels; other formats stop at 65535. */
export function checkOutputSize(size: { width: number; height: number }, format: string): void {
  const s = settings();
  const maxSide = format === 'webp' ? s.MAX_WEBP_OUTPUT_SIDE : s.MAX_OUTPUT_SIDE;
  if (size.width > maxSide || size.height > maxSide) {
    throw overLimit(`The output would be ${size.width}x${size.height}; ${format} output is limited to ${maxSide} pixels a side`);
  }
  if (size.width * size.height > s.MAX_OUTPUT_PIXELS) {
    throw overLimit(`The output would be ${size.width}x${size.height}, more than ${s.MAX_OUTPUT_PIXELS} pixels`);
  }
}

/** sharp stops a pipeline that runs longer than this; libvips checks it while processing. */
export function transformTimeout(): { seconds: number } {
  return { seconds: settings().TRANSFORM_TIMEOUT_SECONDS };
}
