import { createHash } from 'node:crypto';

export interface RenditionKey {
  endpointId: string;
  assetPath: string;
  /** Canonical transformation string: one string per meaning. */
  transformation: string;
  /** What else decides the bytes: the format class the Accept header allows when the format is negotiated. */
  variant: string;
  /** Other query parameters (cache busters such as `?v=2`), sorted; signature parameters excluded. */
  query: string;
}

/** Blob-name prefix of every rendition of one asset, so a purge of a path is a prefix listing. */
export function assetPrefix(endpointId: string, assetPath: string): string {
  return `${endpointId}/${assetPath}/`;
}

/** `<endpoint>/<asset path>/<hash>`: the hash covers everything that determines the rendition's bytes. */
export function renditionName(key: RenditionKey): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([key.endpointId, key.assetPath, key.transformation, key.variant, key.query]))
    .digest('base64url')
    .slice(0, 32);
  return `${assetPrefix(key.endpointId, key.assetPath)}${hash}`;
}

/** Query parameters that change the bytes or the cache identity; `tr` is in the transformation, `ik-s`/`ik-t` only sign. */
export function cacheQuery(searchParams: URLSearchParams): string {
  return [...searchParams]
    .filter(([name]) => name !== 'tr' && name !== 'ik-s' && name !== 'ik-t')
    .sort(([a, x], [b, y]) => (a === b ? x.localeCompare(y) : a.localeCompare(b)))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** Drops every in-memory entry whose key starts with a purge prefix (names and keys share the asset-prefix layout). */
export function forgetPrefix(cache: { keys(): Iterable<string>; delete(key: string): unknown }, prefix: string): void {
  for (const key of [...cache.keys()]) if (key.startsWith(prefix)) cache.delete(key);
}
