import { BlobServiceClient, ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { newId } from '../shared/config/collection';
import type { Repositories } from '../shared/config/repositories';
import { DEFAULT_ENDPOINT_ID } from '../shared/config/schemas';
import { demoImages } from './sample-images';

export const DEMO_CONTAINER = 'originals';

function connectionStringPart(connectionString: string, name: string): string | undefined {
  const part = connectionString.split(';').find((p) => p.toLowerCase().startsWith(`${name.toLowerCase()}=`));
  return part?.slice(name.length + 1);
}

/** A read-only SAS for one container, as an operator would create for an AZURE_BLOB origin. */
export function readOnlyContainerSas(accountName: string, accountKey: string, container: string, years = 10): string {
  const expiresOn = new Date(Date.now() + years * 365 * 24 * 3600 * 1000);
  const sas = generateBlobSASQueryParameters(
    { containerName: container, permissions: ContainerSASPermissions.parse('r'), expiresOn },
    new StorageSharedKeyCredential(accountName, accountKey),
  );
  return `?${sas.toString()}`;
}

/**
 * On an empty store: uploads the demo images to `originals`, registers an AZURE_BLOB origin that reads them
 * with a read-only SAS, and points the default URL endpoint at it. Returns false when there was config already.
 */
export async function seedDemo({ origins, urlEndpoints, getUrlEndpoint }: Repositories, connectionString: string): Promise<boolean> {
  if ((await origins.list()).length > 0) return false;
  const accountName = connectionStringPart(connectionString, 'AccountName');
  const accountKey = connectionStringPart(connectionString, 'AccountKey');
  if (!accountName || !accountKey) {
    throw new Error('Seeding the demo needs a connection string with AccountName and AccountKey');
  }
  const service = BlobServiceClient.fromConnectionString(connectionString);
  const container = service.getContainerClient(DEMO_CONTAINER);
  await container.createIfNotExists();
  for (const image of await demoImages()) {
    await container.getBlockBlobClient(image.name).uploadData(image.body, { blobHTTPHeaders: { blobContentType: image.contentType } });
  }
  const originId = newId();
  await origins.create(originId, {
    type: 'AZURE_BLOB',
    name: 'Demo originals',
    accountName,
    container: DEMO_CONTAINER,
    sasToken: readOnlyContainerSas(accountName, accountKey, DEMO_CONTAINER),
    prefix: '',
    endpoint: service.url.replace(/\/+$/, ''),
    includeCanonicalHeader: false,
  });
  const defaultEndpoint = (await getUrlEndpoint(DEFAULT_ENDPOINT_ID))!;
  await urlEndpoints.replace(DEFAULT_ENDPOINT_ID, { ...defaultEndpoint.value, origins: [originId] }, defaultEndpoint.etag);
  return true;
}
