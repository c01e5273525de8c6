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

/** The image formats this server serves: the media type of each, and the extension a download of it gets. */
export const IMAGE_TYPES = {
  jpeg: { contentType: 'image/jpeg', extension: 'jpg' },
  png: { contentType: 'image/png', extension: 'png' },
  webp: { contentType: 'image/webp', extension: 'webp' },
  avif: { contentType: 'image/avif', extension: 'avif' },
  gif: { contentType: 'image/gif', extension: 'gif' },
  svg: { contentType: 'image/svg+xml', extension: 'svg' },
} as const;

/** Output formats this server encodes: every served type but SVG, which is only passed through. */
export type OutputFormat = Exclude<keyof typeof IMAGE_TYPES, 'svg'>;

const EXTENSIONS = new Map<string, string>(Object.values(IMAGE_TYPES).map((t) => [t.contentType, t.extension]));

/**
 * `Content-Disposition` for `?ik-attachment=true`: the asset's file name with the extension of the format
 * actually served (a JPEG delivered as WebP downloads as `.webp`), or `?ik-attachment-filename=` as given.
 */
export function attachmentDisposition(query: URLSearchParams, assetPath: string, contentType: string): string | undefined {
  if (query.get('ik-attachment') !== 'true') return undefined;
  const requested = query.get('ik-attachment-filename');
  const base = assetPath.split('/').pop() || 'download';
  const extension = EXTENSIONS.get(contentType);
  const name = requested || (extension ? `${base.replace(/\.[^.]*$/, '')}.${extension}` : base);
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Delivery responses (images, 304s and errors) may be read from any origin: `<img crossorigin>`, canvas reads and
 * `fetch()` work across origins, and scripts can see the error, cache and timing headers. No credentials are ever
 * involved, so `*` is enough and no `Vary: Origin` is needed.
 */
export const DELIVERY_CORS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'ETag, ik-error, x-request-id, x-rendition-cache, Server-Timing, Content-DPR, Content-Disposition',
  'timing-allow-origin': '*',
};

/** Request headers a cross-origin delivery request may send beyond the safelisted ones: revalidation and client hints. */
const PREFLIGHT_HEADERS = 'If-None-Match, If-Modified-Since, Sec-CH-Width, Sec-CH-DPR, Width, DPR';

/**
 * The answer to a CORS preflight (`OPTIONS`) for a delivery URL. The management API, under the reserved `v1` prefix,
 * stays same-origin: its preflight gets no CORS headers, so browsers do not send the call.
 */
export function preflight(path: string): { status: number; headers: Record<string, string> } {
  if (/^\/*v1(\/|$)/i.test(path)) return { status: 405, headers: { allow: 'GET, POST, PUT, PATCH, DELETE' } };
  return {
    status: 204,
    headers: {
      ...DELIVERY_CORS,
      'access-control-allow-methods': 'GET, HEAD, OPTIONS',
      'access-control-allow-headers': PREFLIGHT_HEADERS,
      'access-control-max-age': '86400',
    },
  };
}
