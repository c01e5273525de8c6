import { createHash } from 'node:crypto';

/** Strong ETag over the exact bytes served. */
export function strongEtag(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/** True when an If-None-Match header lists this ETag (or `*`); weak comparison, as RFC 9110 asks for GET. */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

/** Served SVG cannot run scripts or load anything, even when opened directly. */
export const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";
