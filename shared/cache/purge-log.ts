import { odata, type TransactionAction } from '@azure/data-tables';
import { randomBytes } from 'node:crypto';
import { ensureTable } from '../config/collection';
import { settings } from '../settings';
import { purgeOriginals } from './originals';
import { forgetRenditions } from './renditions';
import { firstLine } from '../http/errors';

/**
 * Purges reach other instances through the purge log: rows of purged prefixes in the config table, which every
 * instance reads before serving a request once its last read is PURGE_SYNC_SECONDS old, and then forgets those
 * prefixes from its memory caches. That is the bound on another instance serving a purged rendition from memory.
 */
const PARTITION = 'purgeLog';
/** Rows are read again this far back, so a row written by an instance whose clock is behind this one's is not missed. */
const OVERLAP_MS = 5 * 60_000;
/** Rows older than this are deleted by the instances that write new ones, at most every CLEANUP_EVERY_MS. */
const KEEP_MS = 60 * 60_000;
const CLEANUP_EVERY_MS = 10 * 60_000;
/** Prefixes per row: a row's JSON stays well below Table Storage's 32K characters per property. */
const MAX_ROW_CHARS = 24_000;
/** Rows per transaction, under Table Storage's 100 operations and 4 MiB. */
const ROWS_PER_TRANSACTION = 50;

type LogRow = {
  partitionKey: string;
  rowKey: string;
  prefixes: string;
};

/** RowKeys sort by the writer's clock: 15 digits of milliseconds, then a random part. */
const timeKey = (ms: number) => String(Math.max(0, ms)).padStart(15, '0');

/** Row keys read or written recently, so a row is applied once. */
const seen = new Set<string>();
let lastSyncStart: number | undefined;
let attemptedAt = Number.NEGATIVE_INFINITY;
let syncing: Promise<void> | undefined;
let cleanedAt = 0;

/** What a purge leaves behind in this instance's memory: rendition and originals caches. */
function forgetLocally(prefix: string): void {
  forgetRenditions(prefix);
  purgeOriginals(prefix);
}

function rows(prefixes: string[], now: number): LogRow[] {
  const groups: string[][] = [[]];
  let size = 0;
  for (const prefix of prefixes) {
    if (size + prefix.length > MAX_ROW_CHARS && groups[groups.length - 1].length > 0) {
      groups.push([]);
      size = 0;
    }
    groups[groups.length - 1].push(prefix);
    size += prefix.length + 3;
  }
  return groups.map((group) => ({ partitionKey: PARTITION, rowKey: `${timeKey(now)}-${randomBytes(6).toString('hex')}`, prefixes: JSON.stringify(group) }));
}

/** Announcements waiting for the write under way: a burst of purges shares one table transaction per flush. */
let waiting: { prefixes: string[]; done: () => void; failed: (error: unknown) => void }[] = [];
let writing = false;

async function write(prefixes: string[], log: (message: string) => void): Promise<void> {
  const table = await ensureTable();
  const now = Date.now();
  const written = rows([...new Set(prefixes)], now);
  for (let i = 0; i < written.length; i += ROWS_PER_TRANSACTION) {
    const chunk = written.slice(i, i + ROWS_PER_TRANSACTION);
    await table.submitTransaction(chunk.map((row): TransactionAction => ['create', row]));
    for (const row of chunk) seen.add(row.rowKey);
  }
  if (now - cleanedAt > CLEANUP_EVERY_MS) {
    cleanedAt = now;
    void cleanUp(now).catch((error: unknown) => log(`purge log clean-up failed: ${firstLine(error)}`));
  }
}

async function flush(log: (message: string) => void): Promise<void> {
  writing = true;
  while (waiting.length > 0) {
    const taken = waiting;
    waiting = [];
    try {
      await write(
        taken.flatMap((t) => t.prefixes),
        log,
      );
      for (const t of taken) t.done();
    } catch (error) {
      for (const t of taken) t.failed(error);
    }
  }
  writing = false;
}

/**
 * Tells the other instances to forget `prefixes` from memory (this one has already). Resolves once they are in the
 * log; announcements made while a write is under way go together in the next one.
 */
export function announcePurges(prefixes: string[], log: (message: string) => void): Promise<void> {
  if (prefixes.length === 0) return Promise.resolve();
  return new Promise<void>((done, failed) => {
    waiting.push({ prefixes, done, failed });
    if (!writing) void flush(log);
  });
}

/** Deletes rows no instance reads any more. */
async function cleanUp(now: number): Promise<void> {
  const table = await ensureTable();
  const filter = odata`PartitionKey eq ${PARTITION} and RowKey lt ${timeKey(now - KEEP_MS)}`;
  const old: string[] = [];
  for await (const row of table.listEntities({ queryOptions: { filter, select: ['RowKey'] } })) {
    old.push(row.rowKey!);
    if (old.length >= 1000) break;
  }
  for (let i = 0; i < old.length; i += 100) {
    await table.submitTransaction(old.slice(i, i + 100).map((rowKey): TransactionAction => ['delete', { partitionKey: PARTITION, rowKey }]));
  }
}

async function sync(): Promise<void> {
  const started = Date.now();
  attemptedAt = started;
  const from = timeKey((lastSyncStart ?? started) - OVERLAP_MS);
  const table = await ensureTable();
  const filter = odata`PartitionKey eq ${PARTITION} and RowKey ge ${from}`;
  const read = new Set<string>();
  for await (const row of table.listEntities<LogRow>({ queryOptions: { filter, select: ['RowKey', 'prefixes'] } })) {
    read.add(row.rowKey!);
    if (seen.has(row.rowKey!)) continue;
    for (const prefix of JSON.parse(row.prefixes) as string[]) forgetLocally(prefix);
    seen.add(row.rowKey!);
  }
  // Keys older than the next read's window are not returned again.
  for (const key of seen) if (key < from && !read.has(key)) seen.delete(key);
  lastSyncStart = started;
}


let syncingStartedAt = 0;

/** The last read failed: storage is out, so requests stop waiting for reads until one succeeds. */
let failing = false;

function startSync(log: (message: string) => void): Promise<void> {
  syncingStartedAt = Date.now();
  const running = sync()
    .then(() => {
      failing = false;
    })
    .catch((error: unknown) => {
      failing = true;
      log(`purge log read failed: ${firstLine(error)}`);
    })
    .finally(() => {
      if (syncing === running) syncing = undefined;
    });
  syncing = running;
  return running;
}

/**
 * Applies the purges other instances logged. Once this instance's last read started PURGE_SYNC_SECONDS ago, the
 * next request starts a read in the background; a request waits for a read only when the last successful one
 * started twice that long ago (an instance that was idle). So a request is answered with every purge logged up to
 * 2 x PURGE_SYNC_SECONDS before it applied. Concurrent requests share one read; during a storage outage (the last
 * read failed) no request waits, and purges from other instances wait for storage, as the purges themselves do.
 */
export function syncPurges(log: (message: string) => void): Promise<void> {
  const intervalMs = settings().PURGE_SYNC_SECONDS * 1000;
  const now = Date.now();
  const read = syncing ?? (now - attemptedAt >= intervalMs ? startSync(log) : undefined);
  const tooOld = lastSyncStart === undefined || now - lastSyncStart >= 2 * intervalMs;
  return read && tooOld && !failing ? read : Promise.resolve();
}

/**
 * Applies every purge logged before now, whatever the interval: a rendition just stored checks it was not purged
 * meanwhile on another instance. A purge logs before it deletes, so either its deletion finds the stored rendition
 * or this read finds the purge.
 */
export async function syncPurgesNow(log: (message: string) => void): Promise<void> {
  const from = Date.now();
  if (syncing && syncingStartedAt >= from) return syncing;
  if (syncing) await syncing;
  if (lastSyncStart !== undefined && lastSyncStart >= from) return;
  return syncing && syncingStartedAt >= from ? syncing : startSync(log);
}
