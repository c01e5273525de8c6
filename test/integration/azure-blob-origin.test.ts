import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobServiceClient,
  ContainerClient,
  ContainerSASPermissions,
  generateAccountSASQueryParameters,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY, type RunningAzurite } from '../../dev/azurite';
import { readOnlyContainerSas } from '../../dev/seed';
import { IkError } from '../../shared/http/errors';
import { azureBlobOrigin } from '../../shared/origins/azure-blob';
import type { AzureBlobOriginConfig } from '../../shared/config/schemas';
import { startTestAzurite } from '../helpers/azurite';

describe('AZURE_BLOB origin against Azurite', () => {
  let azurite: RunningAzurite;
  let sas: string;
  const limits = { maxBytes: 1024 * 1024 };

  const config = (overrides: Partial<AzureBlobOriginConfig> = {}): AzureBlobOriginConfig => ({
    type: 'AZURE_BLOB',
    name: 'test',
    accountName: AZURITE_ACCOUNT,
    container: 'originals',
    sasToken: sas,
    prefix: '',
    endpoint: azurite.blobEndpoint,
    includeCanonicalHeader: false,
    ...overrides,
  });

  async function failure(promise: Promise<unknown>): Promise<IkError> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof IkError) return error;
      throw error;
    }
    throw new Error('expected a failure');
  }

  beforeAll(async () => {
    azurite = await startTestAzurite();
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('originals');
    await container.create();
    await container.getBlockBlobClient('a/photo one.jpg').uploadData(Buffer.from('first'), { blobHTTPHeaders: { blobContentType: 'image/jpeg' } });
    await container.getBlockBlobClient('big.bin').uploadData(Buffer.alloc(2 * 1024 * 1024, 1));
    sas = readOnlyContainerSas(AZURITE_ACCOUNT, AZURITE_KEY, 'originals');
  });
  afterAll(() => azurite.stop());

  it('reads a blob with a read-only SAS, with its type and validators', async () => {
    const found = await azureBlobOrigin(config()).fetch('a/photo one.jpg', limits);
    expect(found?.body.toString()).toBe('first');
    expect(found?.contentType).toBe('image/jpeg');
    expect(found?.etag).toBeTruthy();
    expect(found?.lastModified).toBeInstanceOf(Date);
  });

  it('the same read-only SAS cannot write', async () => {
    const container = new ContainerClient(`${azurite.blobEndpoint}/originals${sas}`);
    await expect(container.getBlockBlobClient('evil.txt').uploadData(Buffer.from('x'))).rejects.toMatchObject({ statusCode: 403 });
  });

  it('reads under a prefix', async () => {
    const found = await azureBlobOrigin(config({ prefix: '/a/' })).fetch('photo one.jpg', limits);
    expect(found?.body.toString()).toBe('first');
  });

  it('a missing blob is not found (undefined), not an error', async () => {
    expect(await azureBlobOrigin(config()).fetch('nope.jpg', limits)).toBeUndefined();
  });

  const credential = () => new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
  const readOnlyAccountSas = () =>
    `?${generateAccountSASQueryParameters(
      {
        services: AccountSASServices.parse('b').toString(),
        resourceTypes: AccountSASResourceTypes.parse('co').toString(),
        permissions: AccountSASPermissions.parse('r'),
        expiresOn: new Date(Date.now() + 3600_000),
      },
      credential(),
    ).toString()}`;

  it('a read-only account SAS reads but cannot write', async () => {
    const accountSas = readOnlyAccountSas();
    const found = await azureBlobOrigin(config({ sasToken: accountSas })).fetch('a/photo one.jpg', limits);
    expect(found?.body.toString()).toBe('first');
    const container = new ContainerClient(`${azurite.blobEndpoint}/originals${accountSas}`);
    await expect(container.getBlockBlobClient('evil.txt').uploadData(Buffer.from('x'))).rejects.toMatchObject({ statusCode: 403 });
  });

  it('a missing container is ENOENT naming the container', async () => {
    const error = await failure(azureBlobOrigin(config({ container: 'missing', sasToken: readOnlyAccountSas() })).fetch('a.jpg', limits));
    expect(error).toMatchObject({ status: 404, code: 'ENOENT' });
    expect(error.message).toContain('"missing"');
  });

  it('an expired SAS is EACCES and the message never repeats the token', async () => {
    const expired = `?${generateBlobSASQueryParameters(
      { containerName: 'originals', permissions: ContainerSASPermissions.parse('r'), startsOn: new Date(Date.now() - 7200_000), expiresOn: new Date(Date.now() - 3600_000) },
      credential(),
    ).toString()}`;
    const error = await failure(azureBlobOrigin(config({ sasToken: expired })).fetch('a/photo one.jpg', limits));
    expect(error).toMatchObject({ status: 404, code: 'EACCES' });
    const sig = new URLSearchParams(expired.slice(1)).get('sig')!;
    expect(error.message).not.toContain(sig);
    expect(error.message).not.toContain(encodeURIComponent(sig));
  });

  it('a SAS without read permission is EACCES', async () => {
    const listOnly = `?${generateBlobSASQueryParameters(
      { containerName: 'originals', permissions: ContainerSASPermissions.parse('l'), expiresOn: new Date(Date.now() + 3600_000) },
      credential(),
    ).toString()}`;
    const error = await failure(azureBlobOrigin(config({ sasToken: listOnly })).fetch('a/photo one.jpg', limits));
    expect(error).toMatchObject({ status: 404, code: 'EACCES' });
  });

  it('an original over the byte limit is ELIMIT', async () => {
    const error = await failure(azureBlobOrigin(config()).fetch('big.bin', limits));
    expect(error).toMatchObject({ status: 400, code: 'ELIMIT' });
  });
});
