import { BlobServiceClient } from '@azure/storage-blob';
import type { RunningAzurite } from '../../dev/azurite';
import { RenditionCache } from '../../shared/cache/renditions';
import { startTestAzurite } from '../helpers/azurite';

/** The rendition cache's own guard: a name that could resolve outside `<container>/<endpoint id>/` is never read, written or purged. */
describe('rendition blob names', () => {
  let azurite: RunningAzurite;
  let renditions: RenditionCache;
  const rendition = { body: Buffer.from('x'), contentType: 'image/png', etag: '"x"', negotiated: false };

  beforeAll(async () => {
    azurite = await startTestAzurite();
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('renditions');
    renditions = new RenditionCache({ container, memoryBytes: 0, maxPerAsset: 200 });
  });
  afterAll(() => azurite.stop());

  it('a name under an endpoint folder is stored; names that climb out are refused and nothing lands outside', async () => {
    const errors: string[] = [];
    const log = (message: string) => errors.push(message);
    await renditions.write('default/a.png/hash', 'default/a.png/', rendition, log, 0);
    for (const name of ['default/../../originals/a.png/hash', 'default/..%2f..%2foriginals/hash', 'default/%252e%252e/x/hash', 'default\\..\\..\\x/hash', 'nofolder']) {
      await renditions.write(name, 'default/', rendition, log, 0);
      expect(await renditions.read(name, log)).toBeUndefined();
    }
    expect(errors.filter((e) => /rendition name refused/.test(e))).toHaveLength(10);
    await expect(renditions.purge('default/../')).rejects.toThrow(/rendition name refused/);

    const names: string[] = [];
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    for await (const container of service.listContainers()) {
      for await (const blob of service.getContainerClient(container.name).listBlobsFlat()) names.push(`${container.name}/${blob.name}`);
    }
    expect(names).toEqual(['renditions/default/a.png/hash']);
  });
});
