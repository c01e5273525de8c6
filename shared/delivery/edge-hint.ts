import { EDGE_HINT_SEGMENT } from '../cache/front-door';
import { badParam } from '../http/errors';

/** The Accept header each hint stands for; AVIF is still chosen only when AUTO_AVIF is on. */
const HINTS: Record<string, string> = {
  avif: 'image/avif,image/webp',
  webp: 'image/webp',
};

export interface EdgeHint {
  /** The request URL without the hint segments: what the client asked for, and what its signature covers. */
  url: string;
  /** Replaces the request's Accept header when Front Door added a hint. */
  accept?: string;
}

/**
 * Front Door caches by URL and ignores `Vary`, so its rules rewrite auto-format requests to
 * `/_ik-accept/<avif|webp>/<original path>`: each format gets its own edge cache entry. This reads and strips
 * that prefix; without it the URL and the request's Accept header are used as they are.
 */
export function readEdgeHint(rawUrl: string): EdgeHint {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)\/_ik-accept(?=[/?#]|$)(?:\/([^/?#]*))?(\/[^?#]*)?(.*)$/i.exec(rawUrl);
  if (!match) return { url: rawUrl };
  const [, origin, value = '', rest = '/', tail] = match;
  const accept = HINTS[value.toLowerCase()];
  if (!accept) throw badParam(`Unknown format hint "/${EDGE_HINT_SEGMENT}/${value}": expected avif or webp`);
  return { url: `${origin}${rest}${tail}`, accept };
}
