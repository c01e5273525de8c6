/**
 * Purges this instance has run, numbered in order, so work that started before a purge can tell it happened: a
 * rendition or original fetched before the purge of its prefix must not be stored after it.
 */
interface Purge {
  generation: number;
  prefix: string;
  at: number;
}

/** Longer than any job can run (fetch, transform and storage deadlines together are well under a minute). */
const KEEP_MS = 10 * 60_000;
const MAX_KEPT = 10_000;

const purges: Purge[] = [];
let generation = 0;
/** Purges at or below this number were forgotten: work older than that is treated as purged. */
let forgottenThrough = 0;

/** The number of the latest purge: taken when a job starts. */
export function purgeGeneration(): number {
  return generation;
}

/** Records a purge of every key that starts with `prefix`. */
export function recordPurge(prefix: string, now = Date.now()): void {
  generation++;
  purges.push({ generation, prefix, at: now });
  while (purges.length > MAX_KEPT || (purges.length > 0 && now - purges[0].at > KEEP_MS)) forgottenThrough = purges.shift()!.generation;
}

/** A purge covering `key` ran after generation `since` (or too long ago to tell). */
export function purgedSince(key: string, since: number): boolean {
  if (since < forgottenThrough) return true;
  for (let i = purges.length - 1; i >= 0 && purges[i].generation > since; i--) {
    if (key.startsWith(purges[i].prefix)) return true;
  }
  return false;
}
