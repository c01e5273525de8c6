import type { RunningAzurite } from '../../dev/azurite';
import { startTestAzurite } from '../helpers/azurite';

describe('config collections in Table Storage (Azurite)', () => {
  let azurite: RunningAzurite;
  let store: typeof import('../../shared/config/collection');
  let repositories: typeof import('../../shared/config/repositories');

  beforeAll(async () => {
    azurite = await startTestAzurite();
    process.env.STORAGE_CONNECTION_STRING = azurite.connectionString;
    process.env.PRIVATE_API_KEY = 'private_config_store_test_key';
    store = await import('../../shared/config/collection');
    repositories = await import('../../shared/config/repositories');
  });
  afterAll(() => azurite.stop());

  it('creates, reads, lists and replaces with the ETag it read', async () => {
    const things = new store.Collection<{ n: number }>('thing');
    await things.create('a', { n: 1 });
    const read = (await things.get('a'))!;
    expect(read.value).toEqual({ n: 1 });
    await things.replace('a', { n: 2 }, read.etag);
    expect((await things.list()).map((r) => r.value)).toEqual([{ n: 2 }]);
  });

  it('refuses a write based on a stale ETag, and a duplicate id', async () => {
    const things = new store.Collection<{ n: number }>('race');
    await things.create('x', { n: 1 });
    const first = (await things.get('x'))!;
    const second = (await things.get('x'))!;
    await things.replace('x', { n: 2 }, first.etag);
    await expect(things.replace('x', { n: 3 }, second.etag)).rejects.toBeInstanceOf(store.WriteConflictError);
    await expect(things.delete('x', second.etag)).rejects.toBeInstanceOf(store.WriteConflictError);
    await expect(things.create('x', { n: 4 })).rejects.toBeInstanceOf(store.WriteConflictError);
    expect((await things.get('x'))!.value).toEqual({ n: 2 });
  });

  it('the default URL endpoint exists from the first read, first in the list', async () => {
    const endpoints = await repositories.listUrlEndpoints();
    expect(endpoints[0]).toMatchObject({ id: 'default', value: { urlPrefix: '', origins: [] } });
  });
});
