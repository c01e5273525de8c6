import { ContainerClient, RestError } from '@azure/storage-blob';
import { IkError } from '../http/errors';
import type { AzureBlobOriginConfig } from '../config/schemas';
import type { Origin, OriginObject } from './types';

/** Blob service URL of the origin: the configured one (Azurite, sovereign clouds, private endpoints) or the public default. */
export function blobServiceUrl(config: AzureBlobOriginConfig): string {
  return (config.endpoint ?? `https://${config.accountName}.blob.core.windows.net`).replace(/\/+$/, '');
}

function blobName(prefix: string | undefined, assetPath: string): string {
  const cleanPrefix = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return cleanPrefix ? `${cleanPrefix}/${assetPath}` : assetPath;
}

/** Explains a storage failure to the operator without repeating the SAS token. */
function mapError(error: unknown, config: AzureBlobOriginConfig, name: string): IkError {
  const where = `blob "${name}" in container "${config.container}" of account "${config.accountName}"`;
  if (error instanceof RestError) {
    const code = error.code ?? String(error.statusCode ?? '');
    if (error.statusCode === 403 || error.statusCode === 401) {
      return new IkError(404, 'EACCES', `Azure Blob Storage refused to read ${where} (${code}): check that the SAS token is valid, unexpired and has read permission`);
    }
    if (code === 'ContainerNotFound') return new IkError(404, 'ENOENT', `Container "${config.container}" was not found in account "${config.accountName}"`);
    if (error.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(error.message)) {
      return new IkError(404, 'ECONNREFUSED', `Azure Blob Storage at ${blobServiceUrl(config)} refused the connection`);
    }
    return new IkError(404, 'UNIDENTIFIED', `Azure Blob Storage failed reading ${where} (${code || 'no status'})`);
  }
  return new IkError(404, 'UNIDENTIFIED', `Reading ${where} failed`);
}

async function readCapped(stream: NodeJS.ReadableStream, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    total += buf.length;
    if (total > maxBytes) throw new IkError(400, 'ELIMIT', `The original is larger than ${maxBytes} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** AZURE_BLOB origin: reads `<prefix>/<asset path>` from one container with the origin's SAS token. */
export function azureBlobOrigin(config: AzureBlobOriginConfig): Origin {
  const container = new ContainerClient(`${blobServiceUrl(config)}/${config.container}${config.sasToken}`);
  return {
    async fetch(assetPath, limits): Promise<OriginObject | undefined> {
      const name = blobName(config.prefix, assetPath);
      try {
        const response = await container.getBlobClient(name).download();
        if ((response.contentLength ?? 0) > limits.maxBytes) {
          throw new IkError(400, 'ELIMIT', `The original is ${response.contentLength} bytes, more than ${limits.maxBytes}`);
        }
        return {
          body: await readCapped(response.readableStreamBody!, limits.maxBytes),
          contentType: response.contentType,
          lastModified: response.lastModified,
          etag: response.etag,
        };
      } catch (error) {
        if (error instanceof IkError) throw error;
        if (error instanceof RestError && error.statusCode === 404 && error.code !== 'ContainerNotFound') return undefined;
        throw mapError(error, config, name);
      }
    },
  };
}
