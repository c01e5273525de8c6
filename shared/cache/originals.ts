import { LRUCache } from 'lru-cache';
import type { OriginObject } from '../origins/types';
import { settings } from '../settings';
import { forgetPrefix } from './key';

let originals: LRUCache<string, OriginObject> | undefined;

function cache(): LRUCache<string, OriginObject> | undefined {
  const maxSize = Math.floor(settings().ORIGINALS_CACHE_MB * 1024 * 1024);
  if (maxSize <= 0) return undefined;
  originals ??= new LRUCache<string, OriginObject>({ maxSize, sizeCalculation: (o) => Math.max(1, o.body.length) });
  return originals;
}

/**
 * The key starts with `<endpoint id>/<asset path>/`, like a rendition's blob name, so a purge prefix removes
 * both; what else changes the fetched bytes or who may fetch them (forwarded host, proxy permission) follows.
 */
export function originalKey(endpointId: string, assetPath: string, variant: string): string {
  return `${endpointId}/${assetPath}/\n${variant}`;
}

export function readOriginal(key: string): OriginObject | undefined {
  return cache()?.get(key);
}

/** Keeps a fetched original in this instance's memory for `seconds`, so the next variants of it skip the origin. */
export function keepOriginal(key: string, original: OriginObject, seconds: number): void {
  cache()?.set(key, original, { ttl: seconds * 1000 });
}

export function purgeOriginals(prefix: string): void {
  const c = cache();
  if (c) forgetPrefix(c, prefix);
}
