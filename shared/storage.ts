import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { appIdentity } from './identity';
import { settings } from './settings';

/** A service URL of the identity-reached account: as configured (Bicep writes them with a trailing slash), else the public cloud's. */
function serviceUrl(configured: string | undefined, service: 'blob' | 'table'): string {
  return (configured ?? `https://${settings().STORAGE_ACCOUNT_NAME}.${service}.core.windows.net`).replace(/\/+$/, '');
}

/** The blob service of the app's own storage: with STORAGE_CONNECTION_STRING, else with the managed identity. */
export function appBlobService(): BlobServiceClient {
  const s = settings();
  if (s.STORAGE_CONNECTION_STRING) return BlobServiceClient.fromConnectionString(s.STORAGE_CONNECTION_STRING);
  return new BlobServiceClient(serviceUrl(s.STORAGE_BLOB_ENDPOINT, 'blob'), appIdentity());
}

/** A table of the app's own storage, reached like `appBlobService`. */
export function appTable(name: string, maxRetries?: number): TableClient {
  const s = settings();
  const retries = maxRetries === undefined ? {} : { retryOptions: { maxRetries } };
  if (s.STORAGE_CONNECTION_STRING) {
    return TableClient.fromConnectionString(s.STORAGE_CONNECTION_STRING, name, { allowInsecureConnection: s.STORAGE_CONNECTION_STRING.includes('http://'), ...retries });
  }
  return new TableClient(serviceUrl(s.STORAGE_TABLE_ENDPOINT, 'table'), name, appIdentity(), retries);
}

/**
 * Creates the app's container or table once, before first use; after a failure, again on the next call. Creating
 * only helps on new storage: an identity whose data roles cover just that container or table may be refused the
 * create, and then the deployment made it already, so a refusal (403) counts as "it exists"; any real problem
 * shows on the next read or write.
 */
export function createOnce(create: () => Promise<unknown>): () => Promise<void> {
  let created: Promise<void> | undefined;
  return () => {
    created ??= create().then(
      () => undefined,
      (error: unknown) => {
        if ((error as { statusCode?: number }).statusCode === 403) return;
        created = undefined;
        throw error;
      },
    );
    return created;
  };
}
