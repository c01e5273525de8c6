import type { FormatParam, OutputFormat } from './grammar/model';
import { badParam } from '../http/errors';

export interface InputFacts {
  /** sharp's name for the decoded format (jpeg, png, webp, gif, svg, heif, tiff, ...). */
  format: string;
  hasAlpha: boolean;
}

export interface FormatChoice {
  format: OutputFormat;
  /** True when the choice depended on the request's Accept header (the response must say `Vary: Accept`). */
  negotiated: boolean;
}

const ENCODABLE: readonly string[] = ['jpeg', 'png', 'webp', 'avif', 'gif'];

function accepts(accept: string, type: string): boolean {
  return accept
    .toLowerCase()
    .split(',')
    .some((part) => {
      const [media, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return media.trim() === type && (q === undefined || Number(q.slice(2)) > 0);
    });
}

/** The input format, as an output format, when it is one this server encodes (AVIF decodes as `heif`). */
function sameAsInput(input: InputFacts): OutputFormat | undefined {
  const name = input.format === 'heif' ? 'avif' : input.format;
  return ENCODABLE.includes(name) ? (name as OutputFormat) : undefined;
}

/**
 * Output format for a raster input. Explicit `f-*` wins; otherwise (`f-auto` or none) the best format the
 * client accepts: AVIF only when enabled for the account, then WebP, then PNG for images with alpha and
 * JPEG for the rest. GIF stays GIF, because only GIF keeps its animation everywhere.
 */
export function chooseFormat(requested: FormatParam | undefined, input: InputFacts, accept: string, autoAvif: boolean): FormatChoice {
  if (requested === 'gif' && input.format !== 'gif') {
    throw badParam('Parameter "f-gif" needs a GIF input image');
  }
  if (requested === 'orig') {
    return { format: sameAsInput(input) ?? (input.hasAlpha ? 'png' : 'jpeg'), negotiated: false };
  }
  if (requested !== undefined && requested !== 'auto') return { format: requested, negotiated: false };
  if (input.format === 'gif') return { format: 'gif', negotiated: false };
  return { format: acceptedModernFormat(accept, autoAvif) ?? (input.hasAlpha ? 'png' : 'jpeg'), negotiated: true };
}

/** The best modern format an Accept header allows (AVIF only when enabled), or undefined. Also the cache's Accept bucket. */
export function acceptedModernFormat(accept: string, autoAvif: boolean): 'avif' | 'webp' | undefined {
  if (autoAvif && accepts(accept, 'image/avif')) return 'avif';
  if (accepts(accept, 'image/webp')) return 'webp';
  return undefined;
}
