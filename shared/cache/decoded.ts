import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { settings } from '../settings';
import type { Picture } from '../transform/picture';
import { coalesce } from './coalesce';

let pictures: LRUCache<string, Picture> | undefined;
/** Content hashes of originals held by the originals cache, which hands out the same Buffer again. */
const hashes = new WeakMap<Buffer, string>();

const byteSize = (p: Picture) => p.frames.reduce((sum, frame) => sum + frame.data.length, 0);

function cache(): LRUCache<string, Picture> | undefined {
  const maxSize = Math.floor(settings().DECODED_CACHE_MB * 1024 * 1024);
  if (maxSize <= 0) return undefined;
  pictures ??= new LRUCache<string, Picture>({ maxSize, sizeCalculation: (p) => Math.max(1, byteSize(p)) });
  return pictures;
}

function contentHash(input: Buffer): string {
  let hash = hashes.get(input);
  if (!hash) {
    hash = createHash('sha1').update(input).digest('base64');
    hashes.set(input, hash);
  }
  return hash;
}

/**
 * The decoded pixels of `input` after `stage` (the resize done while decoding), from memory when another rendition
 * of the same bytes needed the same stage, else from `decode`. Keyed by the bytes, not the path, so a replaced
 * original is never served from an old decode; the pixels are identical either way, so renditions do not depend
 * on what this instance happened to hold. One picture may fill at most an eighth of `DECODED_CACHE_MB`.
 */
export async function reuseDecoded(input: Buffer, stage: string, decode: () => Promise<Picture>): Promise<Picture> {
  const memory = cache();
  if (!memory) return decode();
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
