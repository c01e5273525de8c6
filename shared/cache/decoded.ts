import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Picture } from '../transform/picture';
import type { DecodedOriginals } from '../transform/render';
import { coalesce } from './coalesce';

/** Content hashes of originals held by the originals cache, which hands out the same Buffer again. */
const hashes = new WeakMap<Buffer, string>();

const byteSize = (p: Picture) => p.frames.reduce((sum, frame) => sum + frame.data.length, 0);

function contentHash(input: Buffer): string {
  let hash = hashes.get(input);
  if (!hash) {
    hash = createHash('sha1').update(input).digest('base64');
    hashes.set(input, hash);
  }
  return hash;
}

/** How many (original, first resize) pairs are remembered as asked for once: keys only, about 80 bytes each. */
const SIGHTINGS = 20_000;

/**
 * Keyed by the bytes, not the path, so a replaced original is never served from an old decode; the pixels are
 * identical either way, so renditions do not depend on what this instance happened to hold. One picture may fill
 * at most an eighth of `maxBytes` (DECODED_CACHE_MB); 0 keeps none.
 */
export function createDecodedCache(maxBytes: number): DecodedOriginals {
  const maxSize = Math.floor(maxBytes);
  if (maxSize <= 0) return { wanted: () => false, reuse: (_input, _stage, decode) => decode() };
  const memory = new LRUCache<string, Picture>({ maxSize, sizeCalculation: (p) => Math.max(1, byteSize(p)) });
  const seen = new LRUCache<string, true>({ max: SIGHTINGS });
  const keyOf = (input: Buffer, stage: string) => `${contentHash(input)}\n${stage}`;
  return {
    wanted(input, stage, bytes) {
      if (bytes > maxSize / 8) return false;
      const key = keyOf(input, stage);
      if (memory.has(key) || seen.has(key)) return true;
      seen.set(key, true);
      return false;
    },
    async reuse(input, stage, decode) {
      const key = keyOf(input, stage);
      const kept = memory.get(key);
      if (kept) return kept;
      // Concurrent renditions of one original wait for one decode. The prefix keeps these keys apart from rendition
      // names (`<endpoint>/…`), which share the single-flight map.
      const { value } = await coalesce(`decoded\n${key}`, async () => {
        const picture = await decode();
        if (byteSize(picture) <= maxSize / 8) memory.set(key, picture);
        return { value: picture };
      });
      return value;
    },
  };
}
