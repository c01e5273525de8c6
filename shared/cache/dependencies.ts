import { odata } from '@azure/data-tables';
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import type { ConfigTable } from '../config/collection';

/**
 * Which stored renditions were drawn with which other files (image layers, custom fonts), so a purge of such a file
 * also purges the renditions that show it. One row per (file, rendition) in the config table; the RowKey starts with
 * the file's asset prefix in hex, which keeps prefix order, so a purge (wildcard ones too) is one range query.
 */
const PARTITION = 'renditionDependency';
/** Table Storage allows RowKeys up to 1 KiB. */
const MAX_ROW_KEY = 1024;
/** Dependents read per purge at most: more than this many renditions of distinct assets using one file is not expected. */
const MAX_DEPENDENTS = 10_000;

export type Dependent = {
  /** The rendition's blob name. */
  name: string;
  /** The delivery path of the asset the rendition is of, as Front Door caches it. */
  edgePath: string;
};

type DependencyRow = Dependent & {
  partitionKey: string;
  rowKey: string;
};

const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex');

/** `-` sorts before every hex digit and `~` after them: the range of one prefix is [hex, hex + `~`). */
function rowKey(usedPrefix: string, renditionName: string): string {
  return `${hex(usedPrefix)}-${createHash('sha256').update(renditionName).digest('base64url').slice(0, 32)}`;
}

export interface Dependents {
  dependents: Dependent[];
  /** The rows found, to drop once the renditions are purged. */
  rowKeys: string[];
}

/** The rendition dependency rows of the config table. */
export class RenditionDependencies {
  constructor(private readonly table: ConfigTable) {}

  /**
   * Records, before the rendition is stored, that it uses the files under `usedPrefixes`. Throws when a row cannot be
   * written (the caller then does not store the rendition, which a purge of the file could not find).
   */
  async record(usedPrefixes: string[], dependent: Dependent): Promise<void> {
    const table = await this.table.ready();
    const keys = usedPrefixes.map((prefix) => rowKey(prefix, dependent.name));
    const tooLong = keys.find((key) => key.length > MAX_ROW_KEY);
    if (tooLong) throw new Error('a layer file path is too long to record the rendition that uses it');
    await Promise.all(keys.map((key) => table.upsertEntity<DependencyRow>({ partitionKey: PARTITION, rowKey: key, ...dependent }, 'Replace')));
  }

  /** The renditions that use a file whose asset prefix starts with `prefix`. */
  async dependentsOf(prefix: string): Promise<Dependents> {
    const table = await this.table.ready();
    const start = hex(prefix);
    const filter = odata`PartitionKey eq ${PARTITION} and RowKey ge ${start} and RowKey lt ${`${start}~`}`;
    const found = new Map<string, Dependent>();
    const rowKeys: string[] = [];
    for await (const row of table.listEntities<DependencyRow>({ queryOptions: { filter, select: ['RowKey', 'name', 'edgePath'] } })) {
      rowKeys.push(row.rowKey!);
      found.set(row.name, { name: row.name, edgePath: row.edgePath });
      if (rowKeys.length >= MAX_DEPENDENTS) break;
    }
    return { dependents: [...found.values()], rowKeys };
  }

  /** Drops dependency rows whose renditions were purged; a row already gone is fine. */
  async forget(rowKeys: string[]): Promise<void> {
    const table = await this.table.ready();
    const limit = pLimit(8);
    await Promise.all(
      rowKeys.map((key) =>
        limit(() =>
          table.deleteEntity(PARTITION, key).catch((error: unknown) => {
            if ((error as { statusCode?: number }).statusCode !== 404) throw error;
          }),
        ),
      ),
    );
  }
}
