import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { randomBytes } from 'node:crypto';
import type { ConfigTable } from '../config/collection';
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

/** Deletes rows no instance reads any more. */
async function cleanUp(table: TableClient, now: number): Promise<void> {
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

export interface PurgeLogOptions {
  /** PURGE_SYNC_SECONDS: how old this instance's view of other instances' purges may be when it serves a request. */
  syncSeconds: number;
  /** What a purge leaves behind in this instance's memory (rendition and originals caches), to forget. */
  forgetLocally(prefix: string): void;
}

/** This instance's side of the purge log in the config table. */
export class PurgeLog {
  /** Row keys read or written recently, so a row is applied once. */
  private readonly seen = new Set<string>();
  private lastSyncStart: number | undefined;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private syncing: Promise<void> | undefined;
  private syncingStartedAt = 0;
  /** The last read failed: storage is out, so requests stop waiting for reads until one succeeds. */
  private failing = false;
  private cleanedAt = 0;
  /** Announcements waiting for the write under way: a burst of purges shares one table transaction per flush. */
  private waiting: { prefixes: string[]; done: () => void; failed: (error: unknown) => void }[] = [];
  private writing = false;

  constructor(
    private readonly table: ConfigTable,
    private readonly options: PurgeLogOptions,
  ) {}

  private async write(prefixes: string[], log: (message: string) => void): Promise<void> {
    const table = await this.table.ready();
    const now = Date.now();
    const written = rows([...new Set(prefixes)], now);
    for (let i = 0; i < written.length; i += ROWS_PER_TRANSACTION) {
      const chunk = written.slice(i, i + ROWS_PER_TRANSACTION);
      await table.submitTransaction(chunk.map((row): TransactionAction => ['create', row]));
      for (const row of chunk) this.seen.add(row.rowKey);
    }
    if (now - this.cleanedAt > CLEANUP_EVERY_MS) {
      this.cleanedAt = now;
      void cleanUp(table, now).catch((error: unknown) => log(`purge log clean-up failed: ${firstLine(error)}`));
    }
  }

  private async flush(log: (message: string) => void): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const taken = this.waiting;
      this.waiting = [];
      try {
        await this.write(
          taken.flatMap((t) => t.prefixes),
          log,
        );
        for (const t of taken) t.done();
      } catch (error) {
        for (const t of taken) t.failed(error);
      }
    }
    this.writing = false;
  }

  /**
   * Tells the other instances to forget `prefixes` from memory (this one has already). Resolves once they are in the
   * log; announcements made while a write is under way go together in the next one.
   */
  announce(prefixes: string[], log: (message: string) => void): Promise<void> {
    if (prefixes.length === 0) return Promise.resolve();
    return new Promise<void>((done, failed) => {
      this.waiting.push({ prefixes, done, failed });
      if (!this.writing) void this.flush(log);
    });
  }

  private async read(): Promise<void> {
    const started = Date.now();
    this.attemptedAt = started;
    const from = timeKey((this.lastSyncStart ?? started) - OVERLAP_MS);
    const table = await this.table.ready();
    const filter = odata`PartitionKey eq ${PARTITION} and RowKey ge ${from}`;
    const read = new Set<string>();
    for await (const row of table.listEntities<LogRow>({ queryOptions: { filter, select: ['RowKey', 'prefixes'] } })) {
      read.add(row.rowKey!);
      if (this.seen.has(row.rowKey!)) continue;
      for (const prefix of JSON.parse(row.prefixes) as string[]) this.options.forgetLocally(prefix);
      this.seen.add(row.rowKey!);
    }
    // Keys older than the next read's window are not returned again.
    for (const key of this.seen) if (key < from && !read.has(key)) this.seen.delete(key);
    this.lastSyncStart = started;
  }

  private startSync(log: (message: string) => void): Promise<void> {
    this.syncingStartedAt = Date.now();
    const running = this.read()
      .then(() => {
        this.failing = false;
      })
      .catch((error: unknown) => {
        this.failing = true;
        log(`purge log read failed: ${firstLine(error)}`);
      })
      .finally(() => {
        if (this.syncing === running) this.syncing = undefined;
      });
    this.syncing = running;
    return running;
  }

  /**
   * Applies the purges other instances logged. Once this instance's last read started PURGE_SYNC_SECONDS ago, the
   * next request starts a read in the background; a request waits for a read only when the last successful one
   * started twice that long ago (an instance that was idle). So a request is answered with every purge logged up to
   * 2 x PURGE_SYNC_SECONDS before it applied. Concurrent requests share one read; during a storage outage (the last
   * read failed) no request waits, and purges from other instances wait for storage, as the purges themselves do.
   */
  sync(log: (message: string) => void): Promise<void> {
    const intervalMs = this.options.syncSeconds * 1000;
    const now = Date.now();
    const read = this.syncing ?? (now - this.attemptedAt >= intervalMs ? this.startSync(log) : undefined);
    const tooOld = this.lastSyncStart === undefined || now - this.lastSyncStart >= 2 * intervalMs;
    return read && tooOld && !this.failing ? read : Promise.resolve();
  }

  /**
   * Applies every purge logged before now, whatever the interval: a rendition just stored checks it was not purged
   * meanwhile on another instance. A purge logs before it deletes, so either its deletion finds the stored rendition
   * or this read finds the purge.
   */
  async syncNow(log: (message: string) => void): Promise<void> {
    const from = Date.now();
    if (this.syncing && this.syncingStartedAt >= from) return this.syncing;
    if (this.syncing) await this.syncing;
    if (this.lastSyncStart !== undefined && this.lastSyncStart >= from) return;
    return this.syncing && this.syncingStartedAt >= from ? this.syncing : this.startSync(log);
  }
}
