import { RestError, TableClient } from '@azure/data-tables';
import { randomBytes } from 'node:crypto';
import { settings } from '../settings';
import { appTable, createOnce, storageDeadlines, type StorageDeadlines } from '../storage';

export interface Versioned<T> {
  id: string;
  value: T;
  etag: string;
}

/** Thrown when a write lost a race with another writer (the stored ETag changed), or an id is taken. */
export class WriteConflictError extends Error {}

let client: TableClient | undefined;
let probeClient: TableClient | undefined;

function connect(deadlines?: StorageDeadlines): TableClient {
  return appTable(settings().CONFIG_TABLE, deadlines);
}

function table(): TableClient {
  client ??= connect();
  return client;
}

const createTable = createOnce(() => table().createTable());

async function ensureTable(): Promise<TableClient> {
  await createTable();
  return table();
}

/** ImageKit ids are 24 hex digits. */
export const newId = () => randomBytes(12).toString('hex');

interface Row {
  partitionKey: string;
  rowKey: string;
  data: string;
}

/**
 * One kind of configuration object (origins, URL endpoints, ...) stored as JSON rows of one partition
 * in the config table. Writes are conditional on the ETag read, so concurrent writers cannot overwrite each other.
 */
export class Collection<T> {
  constructor(private readonly partition: string) {}

  async list(): Promise<Versioned<T>[]> {
    const t = await ensureTable();
    const rows: Versioned<T>[] = [];
    const filter = `PartitionKey eq '${this.partition}'`;
    for await (const row of t.listEntities<Row>({ queryOptions: { filter } })) {
      rows.push({ id: row.rowKey!, value: JSON.parse(row.data) as T, etag: row.etag });
    }
    return rows;
  }

  async get(id: string): Promise<Versioned<T> | undefined> {
    const t = await ensureTable();
    try {
      const row = await t.getEntity<Row>(this.partition, id);
      return { id, value: JSON.parse(row.data) as T, etag: row.etag };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async create(id: string, value: T): Promise<void> {
    const t = await ensureTable();
    try {
      await t.createEntity<Row>({ partitionKey: this.partition, rowKey: id, data: JSON.stringify(value) });
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 409) throw new WriteConflictError(`"${id}" exists already`);
      throw error;
    }
  }

  async replace(id: string, value: T, etag: string): Promise<void> {
    const t = await ensureTable();
    try {
      await t.updateEntity<Row>({ partitionKey: this.partition, rowKey: id, data: JSON.stringify(value) }, 'Replace', { etag });
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 412 || error.statusCode === 404)) {
        throw new WriteConflictError(`"${id}" was changed or removed by another request; read it again and retry`);
      }
      throw error;
    }
  }

  async delete(id: string, etag: string): Promise<void> {
    const t = await ensureTable();
    try {
      await t.deleteEntity(this.partition, id, { etag });
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 412) {
        throw new WriteConflictError(`"${id}" was changed by another request; read it again and retry`);
      }
      if (error instanceof RestError && error.statusCode === 404) return;
      throw error;
    }
  }
}

/** Cheap reachability check of the config table, for the health probe. */
export async function pingConfigStore(): Promise<void> {
  await ensureTable();
  // One try: a probe must answer fast, and the next probe is the retry.
  probeClient ??= connect({ ...storageDeadlines(), maxTries: 1 });
  const page = probeClient.listEntities({ queryOptions: { filter: `PartitionKey eq 'health'` } }).byPage({ maxPageSize: 1 });
  await page.next();
}
