import { odata, RestError, TableClient, type TransactionAction } from '@azure/data-tables';
import { randomBytes } from 'node:crypto';
import { createOnce, type AppStorage } from '../storage';

export interface Versioned<T> {
  id: string;
  value: T;
  etag: string;
}

/**
 * Thrown when a write lost a race: `changed` when the stored ETag is not the one the write was based on (or the
 * object is gone), `taken` when the id or the collection's unique value belongs to another object.
 */
export class WriteConflictError extends Error {
  constructor(
    readonly reason: 'changed' | 'taken',
    message: string,
  ) {
    super(message);
  }
}

/** A field whose value no two objects of a collection may share, compared by `key` (for example lower-cased). */
export interface UniqueField<T> {
  name: keyof T & string;
  key(value: T): string;
}

/** The config table (CONFIG_TABLE) of the app's own storage: configuration, purge requests, the purge log and the rendition dependencies. */
export interface ConfigTable {
  /** The table, created once before first use. */
  ready(): Promise<TableClient>;
  /** Cheap reachability check, for the health probe. */
  ping(): Promise<void>;
}

export function createConfigTable(storage: AppStorage, name: string): ConfigTable {
  let client: TableClient | undefined;
  let probeClient: TableClient | undefined;
  const table = () => (client ??= storage.table(name));
  const create = createOnce(() => table().createTable());
  const ready = async () => {
    await create();
    return table();
  };
  return {
    ready,
    async ping() {
      await ready();
      // One try: a probe must answer fast, and the next probe is the retry.
      probeClient ??= storage.table(name, { ...storage.deadlines, maxTries: 1 });
      const page = probeClient.listEntities({ queryOptions: { filter: `PartitionKey eq 'health'` } }).byPage({ maxPageSize: 1 });
      await page.next();
    },
  };
}

/** ImageKit ids are 24 hex digits. */
export const newId = () => randomBytes(12).toString('hex');
export const OBJECT_ID = /^[0-9a-f]{24}$/;

type Row = {
  partitionKey: string;
  rowKey: string;
  data: string;
};

/** A unique value's claim: RowKey `~<key>`, so it sorts after every object id and `RowKey lt '~'` lists objects only. */
type KeyRow = {
  partitionKey: string;
  rowKey: string;
  owner: string;
};

const KEY_MARK = '~';

const statusOf = (error: unknown) => (error instanceof RestError ? error.statusCode : undefined);

/**
 * One kind of configuration object (origins, URL endpoints, ...) stored as JSON rows of one partition
 * in the config table. Writes are conditional on the ETag read, so concurrent writers cannot overwrite each other.
 * With a unique field, each object also owns a key row in the same partition, written in the same transaction as
 * the object, so two writers can never both hold one value.
 */
export class Collection<T> {
  constructor(
    private readonly table: ConfigTable,
    private readonly partition: string,
    readonly unique?: UniqueField<T>,
  ) {}

  private row(id: string, value: T): Row {
    return { partitionKey: this.partition, rowKey: id, data: JSON.stringify(value) };
  }

  private keyRowKey(value: T): string {
    return KEY_MARK + this.unique!.key(value);
  }

  async list(): Promise<Versioned<T>[]> {
    const t = await this.table.ready();
    const rows: Versioned<T>[] = [];
    const filter = odata`PartitionKey eq ${this.partition} and RowKey lt ${KEY_MARK}`;
    for await (const row of t.listEntities<Row>({ queryOptions: { filter } })) {
      rows.push({ id: row.rowKey!, value: JSON.parse(row.data) as T, etag: row.etag });
    }
    return rows;
  }

  async get(id: string): Promise<Versioned<T> | undefined> {
    const t = await this.table.ready();
    try {
      const row = await t.getEntity<Row>(this.partition, id);
      return { id, value: JSON.parse(row.data) as T, etag: row.etag };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Key rows this object owns; more than one only if a write was cut off half-way. */
  private async ownedKeys(t: TableClient, id: string): Promise<string[]> {
    const keys: string[] = [];
    const filter = odata`PartitionKey eq ${this.partition} and RowKey ge ${KEY_MARK} and owner eq ${id}`;
    for await (const row of t.listEntities<KeyRow>({ queryOptions: { filter, select: ['RowKey'] } })) keys.push(row.rowKey!);
    return keys;
  }

  /**
   * Removes the key row `rowKey` when its owner no longer holds that value (the owner's delete removes its key rows
   * after the object, so a crash in between leaves one behind). True when it was removed and the write may retry.
   */
  private async releaseStaleKey(t: TableClient, rowKey: string): Promise<boolean> {
    let claim: KeyRow & { etag: string };
    try {
      claim = await t.getEntity<KeyRow>(this.partition, rowKey);
    } catch (error) {
      if (statusOf(error) === 404) return true;
      throw error;
    }
    const owner = await this.get(claim.owner);
    if (owner && this.keyRowKey(owner.value) === rowKey) return false;
    await t.deleteEntity(this.partition, rowKey, { etag: claim.etag }).catch((error: unknown) => {
      if (statusOf(error) !== 404 && statusOf(error) !== 412) throw error;
    });
    return true;
  }

  /** Submits the object row's action plus the key row changes; returns the object row's new ETag. */
  private async write(id: string, value: T, objectAction: TransactionAction): Promise<string> {
    const t = await this.table.ready();
    const keyActions = async (): Promise<TransactionAction[]> => {
      if (!this.unique) return [];
      const wanted = this.keyRowKey(value);
      const owned = objectAction[0] === 'create' ? [] : await this.ownedKeys(t, id);
      return [
        ...(owned.includes(wanted) ? [] : [['create', { partitionKey: this.partition, rowKey: wanted, owner: id }] as TransactionAction]),
        ...owned.filter((key) => key !== wanted).map((key): TransactionAction => ['delete', { partitionKey: this.partition, rowKey: key }]),
      ];
    };
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await t.submitTransaction([objectAction, ...(await keyActions())]);
        return result.subResponses[0].etag!;
      } catch (error) {
        const status = statusOf(error);
        if (status === 409) {
          if (this.unique && attempt === 0 && (await this.releaseStaleKey(t, this.keyRowKey(value)))) continue;
          throw new WriteConflictError('taken', `"${id}" or its ${this.unique?.name ?? 'id'} is taken by another object`);
        }
        if (status === 412 || status === 404) throw new WriteConflictError('changed', `"${id}" was changed or removed by another request; read it again and retry`);
        throw error;
      }
    }
  }

  /** Returns the new row's ETag. */
  async create(id: string, value: T): Promise<string> {
    return this.write(id, value, ['create', this.row(id, value)]);
  }

  /** Replaces the object if its stored ETag is still `etag`; returns the new ETag. */
  async replace(id: string, value: T, etag: string): Promise<string> {
    return this.write(id, value, ['update', this.row(id, value), 'Replace', { etag }]);
  }

  /**
   * Gives the object a new ETag without changing it: a write based on the ETag read before (such as a delete that
   * checked first that nothing uses the object) then fails. False when the object is gone.
   */
  async touch(id: string): Promise<boolean> {
    const t = await this.table.ready();
    try {
      await t.updateEntity({ partitionKey: this.partition, rowKey: id }, 'Merge');
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  /**
   * Deletes the object if its stored ETag is still `etag`, then its key rows. A transaction cannot carry the ETag
   * condition of a delete, so these are two steps; a key row left behind by a crash is released by the next writer
   * that wants its value (`releaseStaleKey`).
   */
  async delete(id: string, etag: string): Promise<void> {
    const t = await this.table.ready();
    try {
      await t.deleteEntity(this.partition, id, { etag });
    } catch (error) {
      if (statusOf(error) === 412) throw new WriteConflictError('changed', `"${id}" was changed by another request; read it again and retry`);
      if (statusOf(error) !== 404) throw error;
    }
    if (!this.unique) return;
    const owned = await this.ownedKeys(t, id);
    if (owned.length === 0) return;
    // 404: another writer released a key row first (`releaseStaleKey`); whatever is left it releases the same way.
    await t.submitTransaction(owned.map((key): TransactionAction => ['delete', { partitionKey: this.partition, rowKey: key }])).catch((error: unknown) => {
      if (statusOf(error) !== 404) throw error;
    });
  }
}
