import net from 'node:net';
import {
  BlobServiceClient,
  ContainerClient,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY, type RunningAzurite } from '../../dev/azurite';
import { readOnlyContainerSas } from '../../dev/seed';
import { ikFailure as failure } from '../helpers/failure';
import { azureBlobOrigin, sasProblem } from '../../shared/origins/azure-blob';
import type { AzureBlobOriginConfig } from '../../shared/config/schemas';
import { azuriteAccountSas, freePort, startTestAzurite } from '../helpers/azurite';

describe('AZURE_BLOB origin against Azurite', () => {
  let azurite: RunningAzurite;
  let sas: string;
  const limits = { maxBytes: 1024 * 1024, connectTimeoutMs: 5000, timeoutMs: 10000, allowPrivateAddresses: true };
  const request = { limits, proxyAllowed: false };

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

  beforeAll(async () => {
    azurite = await startTestAzurite();
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('originals');
    await container.create();
    await container.getBlockBlobClient('a/photo one.jpg').uploadData(Buffer.from('first'), { blobHTTPHeaders: { blobContentType: 'image/jpeg' } });
    await container.getBlockBlobClient('big.bin').uploadData(Buffer.alloc(2 * 1024 * 1024, 1));
    sas = readOnlyContainerSas(AZURITE_ACCOUNT, AZURITE_KEY, 'originals');
  });
  afterAll(() => azurite.stop());

  it('refuses a path that would resolve outside its prefix, even with an account-wide SAS, before any request', async () => {
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    await service.getContainerClient('elsewhere').createIfNotExists();
    await service.getContainerClient('elsewhere').getBlockBlobClient('secret.jpg').uploadData(Buffer.from('secret'));
    const wide = azureBlobOrigin(config({ prefix: 'a', sasToken: `?${azuriteAccountSas('b', 'sco', 'rl')}` }));
    expect((await wide.fetch('photo one.jpg', request))?.body.toString()).toBe('first');
    for (const escape of ['../../elsewhere/secret.jpg', '..%2f..%2felsewhere%2fsecret.jpg', '..%252f..%252felsewhere%252fsecret.jpg', '..\\..\\elsewhere\\secret.jpg', './photo one.jpg']) {
      expect(await failure(wide.fetch(escape, request))).toMatchObject({ status: 400, code: 'EBADPARAM' });
    }
  });

  it('reads a blob with a read-only SAS, with its type and validators', async () => {
    const found = await azureBlobOrigin(config()).fetch('a/photo one.jpg', request);
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
    const found = await azureBlobOrigin(config({ prefix: '/a/' })).fetch('photo one.jpg', request);
    expect(found?.body.toString()).toBe('first');
  });

  it('a missing blob is not found (undefined), not an error', async () => {
    expect(await azureBlobOrigin(config()).fetch('nope.jpg', request)).toBeUndefined();
  });

  const credential = () => new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
  const readOnlyAccountSas = () => `?${azuriteAccountSas('b', 'co', 'r')}`;

  it('a read-only account SAS reads but cannot write', async () => {
    const accountSas = readOnlyAccountSas();
    const found = await azureBlobOrigin(config({ sasToken: accountSas })).fetch('a/photo one.jpg', request);
    expect(found?.body.toString()).toBe('first');
    const container = new ContainerClient(`${azurite.blobEndpoint}/originals${accountSas}`);
    await expect(container.getBlockBlobClient('evil.txt').uploadData(Buffer.from('x'))).rejects.toMatchObject({ statusCode: 403 });
  });

  it('a missing container is ENOENT; the detail names the container and account, the public message neither', async () => {
    const error = await failure(azureBlobOrigin(config({ container: 'missing', sasToken: readOnlyAccountSas() })).fetch('a.jpg', request));
    expect(error).toMatchObject({ status: 404, code: 'ENOENT' });
    expect(error.message).toBe("The origin's storage container was not found: check the container name of the origin");
    expect(error.detail).toContain(`Container "missing" was not found in account "${AZURITE_ACCOUNT}"`);
  });

  it('an expired SAS is EACCES and the message never repeats the token', async () => {
    const expired = `?${generateBlobSASQueryParameters(
      { containerName: 'originals', permissions: ContainerSASPermissions.parse('r'), startsOn: new Date(Date.now() - 7200_000), expiresOn: new Date(Date.now() - 3600_000) },
      credential(),
    ).toString()}`;
    const error = await failure(azureBlobOrigin(config({ sasToken: expired })).fetch('a/photo one.jpg', request));
    expect(error).toMatchObject({ status: 404, code: 'EACCES' });
    expect(error.message).toBe(`The origin refused access: its SAS token expired on ${new URLSearchParams(expired).get('se')}; create a new one and update the origin`);
    expect(error.message).not.toMatch(new RegExp(`${AZURITE_ACCOUNT}|originals|127\\.0\\.0\\.1`));
    expect(error.detail).toContain(`blob "a/photo one.jpg" in container "originals" of account "${AZURITE_ACCOUNT}"`);
    const sig = new URLSearchParams(expired.slice(1)).get('sig')!;
    for (const text of [error.message, error.detail]) {
      expect(text).not.toContain(sig);
      expect(text).not.toContain(encodeURIComponent(sig));
    }
  });

  it('a SAS without read permission is EACCES', async () => {
    const listOnly = `?${generateBlobSASQueryParameters(
      { containerName: 'originals', permissions: ContainerSASPermissions.parse('l'), expiresOn: new Date(Date.now() + 3600_000) },
      credential(),
    ).toString()}`;
    const error = await failure(azureBlobOrigin(config({ sasToken: listOnly })).fetch('a/photo one.jpg', request));
    expect(error).toMatchObject({ status: 404, code: 'EACCES' });
    expect(error.message).toBe('The origin refused access: its SAS token lacks read permission (sp=l); create one with "r"');
    expect(error.detail).toMatch(/^Azure Blob Storage answered 403 \w+ reading blob "a\/photo one.jpg" in container "originals"/);
  });

  it('an original over the byte limit is ELIMIT', async () => {
    const error = await failure(azureBlobOrigin(config()).fetch('big.bin', request));
    expect(error).toMatchObject({ status: 400, code: 'ELIMIT' });
  });

  it('a refused connection is ECONNREFUSED and a stalled one ETIMEDOUT', async () => {
    const port = await freePort();
    const refused = await failure(azureBlobOrigin(config({ endpoint: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}` })).fetch('a.jpg', request));
    expect(refused).toMatchObject({ status: 404, code: 'ECONNREFUSED', message: "The origin storage refused the connection: check the origin's endpoint" });
    expect(refused.detail).toBe(`Azure Blob Storage at http://127.0.0.1:${port}/${AZURITE_ACCOUNT} refused the connection`);

    // Accepts connections and never answers.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port: silentPort } = silent.address() as net.AddressInfo;
      const origin = azureBlobOrigin(config({ endpoint: `http://127.0.0.1:${silentPort}/${AZURITE_ACCOUNT}` }));
      const timedOut = await failure(origin.fetch('a.jpg', { ...request, limits: { ...limits, timeoutMs: 300 } }));
      expect(timedOut).toMatchObject({ status: 504, code: 'ETIMEDOUT', message: 'The origin storage did not deliver the file in time' });
      expect(timedOut.detail).toContain(`at http://127.0.0.1:${silentPort}/${AZURITE_ACCOUNT} in time`);
    } finally {
      silent.close();
    }
  });
});

describe('sasProblem', () => {
  const now = new Date('2030-06-01T00:00:00Z');
  it('names the expiry, the start or the missing read permission, never the signature', () => {
    expect(sasProblem('?sv=2024-11-04&se=2030-01-01&sp=r&sig=SECRET', now)).toBe('its SAS token expired on 2030-01-01; create a new one and update the origin');
    expect(sasProblem('?st=2031-01-01T00%3A00%3A00Z&se=2032-01-01&sp=r&sig=SECRET', now)).toContain('not valid before 2031-01-01T00:00:00Z');
    expect(sasProblem('?se=2032-01-01&sp=wl&sig=SECRET', now)).toContain('lacks read permission (sp=wl)');
    expect(sasProblem('?se=2032-01-01&sp=rl&sig=SECRET', now)).not.toContain('SECRET');
  });
});
