import { LRUCache } from 'lru-cache';
import type { OriginObject } from '../origins/types';
import { forgetPrefix } from './key';

/**
 * The key starts with `<endpoint id>/<asset path>/`, like a rendition's blob name, so a purge prefix removes
 * both; what else changes the fetched bytes or who may fetch them (forwarded host, proxy permission) follows.
 */
export function originalKey(endpointId: string, assetPath: string, variant: string): string {
  return `${endpointId}/${assetPath}/\n${variant}`;
}

/** Originals kept in this instance's memory (ORIGINALS_CACHE_MB) for endpoints that turn it on. */
export interface OriginalsCache {
  read(key: string): OriginObject | undefined;
  /** Keeps a fetched original for `seconds`, so the next variants of it skip the origin. */
  keep(key: string, original: OriginObject, seconds: number): void;
  purge(prefix: string): void;
}

/** `maxBytes` 0 keeps nothing. */
export function createOriginalsCache(maxBytes: number): OriginalsCache {
  const maxSize = Math.floor(maxBytes);
  const cache = maxSize > 0 ? new LRUCache<string, OriginObject>({ maxSize, sizeCalculation: (o) => Math.max(1, o.body.length) }) : undefined;
  return {
    read: (key) => cache?.get(key),
    keep: (key, original, seconds) => cache?.set(key, original, { ttl: seconds * 1000 }),
    purge: (prefix) => {
      if (cache) forgetPrefix(cache, prefix);
    },
  };
}
