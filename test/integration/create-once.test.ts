import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import type { RunningAzurite } from '../../dev/azurite';
import { AZURITE_ACCOUNT } from '../../dev/azurite';
import { createOnce } from '../../shared/storage';
import { azuriteAccountSas, freePort, startTestAzurite } from '../helpers/azurite';

/**
 * The app creates its rendition container and config table when missing. An identity with data roles on just that
 * container and table (as the Bicep deployment grants) may be refused the create of what the deployment already
 * made; here a real refusal comes from an account SAS that covers objects only.
 */
describe('createOnce: a refused create of the container or table is not an error', () => {
  let azurite: RunningAzurite;
  let objectsOnly: string;

  beforeAll(async () => {
    azurite = await startTestAzurite();
    const sas = azuriteAccountSas('bt', 'o', 'rwdlacu');
    objectsOnly = `BlobEndpoint=${azurite.blobEndpoint};TableEndpoint=${azurite.tableEndpoint};SharedAccessSignature=${sas}`;
  });
  afterAll(() => azurite.stop());

  it('a 403 on creating a container or a table resolves; the refusal was real', async () => {
    const container = BlobServiceClient.fromConnectionString(objectsOnly).getContainerClient('renditions');
    expect(await container.create().catch((error: { statusCode?: number }) => error.statusCode)).toBe(403);
    await expect(createOnce(() => container.createIfNotExists())()).resolves.toBeUndefined();
    expect(await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('renditions').exists()).toBe(false);

    const table = TableClient.fromConnectionString(objectsOnly, 'imagecdnconfig', { allowInsecureConnection: true });
    expect(await table.createTable().catch((error: { statusCode?: number }) => error.statusCode)).toBe(403);
    await expect(createOnce(() => table.createTable())()).resolves.toBeUndefined();
  });

  it('other failures still reject', async () => {
    const nowhere = new BlobServiceClient(`http://127.0.0.1:${await freePort()}/${AZURITE_ACCOUNT}`, undefined, { retryOptions: { maxTries: 1 } });
    await expect(createOnce(() => nowhere.getContainerClient('renditions').createIfNotExists())()).rejects.toThrow();
  });
});
