import type { RunningAzurite } from '../../dev/azurite';
import { storageOptions } from '../../shared/app/options';
import { Collection, createConfigTable, WriteConflictError, type ConfigTable } from '../../shared/config/collection';
import { createRepositories } from '../../shared/config/repositories';
import { createAppStorage } from '../../shared/storage';
import { startTestAzurite } from '../helpers/azurite';
import { testSettings } from '../helpers/settings';

describe('config collections in Table Storage (Azurite)', () => {
  let azurite: RunningAzurite;
  let table: ConfigTable;

  beforeAll(async () => {
    azurite = await startTestAzurite();
    const settings = testSettings({ STORAGE_CONNECTION_STRING: azurite.connectionString });
    table = createConfigTable(createAppStorage(storageOptions(settings)), settings.CONFIG_TABLE);
  });
  afterAll(() => azurite.stop());

  it('creates, reads, lists and replaces with the ETag it read', async () => {
    const things = new Collection<{ n: number }>(table, 'thing');
    await things.create('a', { n: 1 });
    const read = (await things.get('a'))!;
    expect(read.value).toEqual({ n: 1 });
    await things.replace('a', { n: 2 }, read.etag);
    expect((await things.list()).map((r) => r.value)).toEqual([{ n: 2 }]);
  });

  it('refuses a write based on a stale ETag, and a duplicate id', async () => {
    const things = new Collection<{ n: number }>(table, 'race');
    await things.create('x', { n: 1 });
    const first = (await things.get('x'))!;
    const second = (await things.get('x'))!;
    await things.replace('x', { n: 2 }, first.etag);
    await expect(things.replace('x', { n: 3 }, second.etag)).rejects.toBeInstanceOf(WriteConflictError);
    await expect(things.delete('x', second.etag)).rejects.toBeInstanceOf(WriteConflictError);
    await expect(things.create('x', { n: 4 })).rejects.toBeInstanceOf(WriteConflictError);
    expect((await things.get('x'))!.value).toEqual({ n: 2 });
  });

  it('the default URL endpoint exists from the first read, first in the list', async () => {
    const endpoints = await createRepositories(table).listUrlEndpoints();
    expect(endpoints[0]).toMatchObject({ id: 'default', value: { urlPrefix: '', origins: [] } });
  });
});
