import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Picture } from '../transform/picture';
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

/** Decoded pixels of `input` after `stage`, from memory or from `decode`. */
export type ReuseDecoded = (input: Buffer, stage: string, decode: () => Promise<Picture>) => Promise<Picture>;

/**
 * The decoded pixels of `input` after `stage` (the resize done while decoding), from memory when another rendition
 * of the same bytes needed the same stage, else from `decode`. Keyed by the bytes, not the path, so a replaced
 * original is never served from an old decode; the pixels are identical either way, so renditions do not depend
 * on what this instance happened to hold. One picture may fill at most an eighth of `maxBytes` (DECODED_CACHE_MB);
 * 0 keeps none.
 */
export function createDecodedCache(maxBytes: number): ReuseDecoded {
  const maxSize = Math.floor(maxBytes);
  if (maxSize <= 0) return (_input, _stage, decode) => decode();
  const memory = new LRUCache<string, Picture>({ maxSize, sizeCalculation: (p) => Math.max(1, byteSize(p)) });
  return (input, stage, decode) => reuse(memory, input, stage, decode);
}

async function reuse(memory: LRUCache<string, Picture>, input: Buffer, stage: string, decode: () => Promise<Picture>): Promise<Picture> {
  const key = `${contentHash(input)}\n${stage}`;
  const kept = memory.get(key);
  if (kept) return kept;
  // Concurrent renditions of one original wait for one decode. The prefix keeps these keys apart from rendition
  // names (`<endpoint>/…`), which share the single-flight map.
  const { value } = await coalesce(`decoded\n${key}`, async () => {
    const picture = await decode();
    if (byteSize(picture) <= memory.maxSize / 8) memory.set(key, picture);
    return { value: picture };
  });
  return value;
}
