import { BlobServiceClient } from '@azure/storage-blob';
import type { RunningAzurite } from '../../dev/azurite';
import { startTestAzurite } from '../helpers/azurite';

/** The rendition cache's own guard: a name that could resolve outside `<container>/<endpoint id>/` is never read, written or purged. */
describe('rendition blob names', () => {
  let azurite: RunningAzurite;
  let renditions: typeof import('../../shared/cache/renditions');
  const rendition = { body: Buffer.from('x'), contentType: 'image/png', etag: '"x"', negotiated: false };

  beforeAll(async () => {
    azurite = await startTestAzurite();
    Object.assign(process.env, { STORAGE_CONNECTION_STRING: azurite.connectionString, PRIVATE_API_KEY: 'private_test_key_0123456789', MEMORY_CACHE_MB: '0' });
    renditions = await import('../../shared/cache/renditions');
  });
  afterAll(() => azurite.stop());

  it('a name under an endpoint folder is stored; names that climb out are refused and nothing lands outside', async () => {
    const errors: string[] = [];
    const log = (message: string) => errors.push(message);
    await renditions.writeRendition('default/a.png/hash', 'default/a.png/', rendition, log, 0);
    for (const name of ['default/../../originals/a.png/hash', 'default/..%2f..%2foriginals/hash', 'default/%252e%252e/x/hash', 'default\\..\\..\\x/hash', 'nofolder']) {
      await renditions.writeRendition(name, 'default/', rendition, log, 0);
      expect(await renditions.readRendition(name, log)).toBeUndefined();
    }
    expect(errors.filter((e) => /rendition name refused/.test(e))).toHaveLength(10);
    await expect(renditions.purgeRenditions('default/../')).rejects.toThrow(/rendition name refused/);

    const names: string[] = [];
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    for await (const container of service.listContainers()) {
      for await (const blob of service.getContainerClient(container.name).listBlobsFlat()) names.push(`${container.name}/${blob.name}`);
    }
    expect(names).toEqual(['renditions/default/a.png/hash']);
  });
});
