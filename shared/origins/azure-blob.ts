import { ContainerClient, RestError } from '@azure/storage-blob';
import { IkError, notFound, originFailure } from '../http/errors';
import type { AzureBlobOriginConfig } from '../config/schemas';
import { abandonable } from '../http/streams';
import { checkSafePath } from '../security/paths';
import { fetchSignal, readCapped, tooLarge } from './body';
import type { Origin, OriginObject } from './types';

/** Blob service URL of the origin: the configured one (Azurite, sovereign clouds, private endpoints) or the public default. */
export function blobServiceUrl(config: AzureBlobOriginConfig): string {
  return (config.endpoint ?? `https://${config.accountName}.blob.core.windows.net`).replace(/\/+$/, '');
}

/**
 * The blob an asset path names under the origin's prefix. A path that could resolve outside the prefix is refused
 * here too, whatever the caller checked: the SDK and the storage service each decode the name once more.
 */
function blobName(prefix: string | undefined, assetPath: string): string {
  checkSafePath(assetPath, 'the asset');
  const cleanPrefix = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return cleanPrefix ? `${cleanPrefix}/${assetPath}` : assetPath;
}

/**
 * What is wrong with a SAS token that storage refused, read from its own fields (`se`, `st`, `sp`), so the
 * operator knows what to fix. Only those fields are repeated, never the signature; the text is public.
 */
export function sasProblem(sasToken: string, now = new Date()): string {
  const fields = new URLSearchParams(sasToken.replace(/^\?/, ''));
  const expiry = fields.get('se');
  if (expiry && Date.parse(expiry) <= now.getTime()) return `its SAS token expired on ${expiry}; create a new one and update the origin`;
  const start = fields.get('st');
  if (start && Date.parse(start) > now.getTime()) return `its SAS token is not valid before ${start}`;
  const permissions = fields.get('sp');
  if (permissions !== null && !permissions.includes('r')) return `its SAS token lacks read permission (sp=${permissions}); create one with "r"`;
  return 'check that its SAS token is valid, signed with a current key and has read permission, and that the storage firewall admits this server';
}

/**
 * Explains a storage failure: the public message says what kind of failure it was and what to fix; the detail,
 * logged and never sent, names the account, container, blob and endpoint. Neither repeats the SAS token.
 */
function mapError(error: unknown, config: AzureBlobOriginConfig, name: string): IkError {
  const where = `blob "${name}" in container "${config.container}" of account "${config.accountName}" at ${blobServiceUrl(config)}`;
  if (error instanceof Error && error.name === 'AbortError') {
    return originFailure('ETIMEDOUT', 'The origin storage did not deliver the file in time', `Azure Blob Storage did not deliver ${where} in time`);
  }
  if (!(error instanceof RestError)) {
    return originFailure('UNIDENTIFIED', 'Reading from the origin storage failed', `Reading ${where} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Storage's status and error code say what happened; the SDK's message adds only request ids and times.
  const code = error.code ?? String(error.statusCode ?? '');
  const answer = `${error.statusCode ?? 'no status'} ${error.code ?? ''}`.trim();
  if (error.statusCode === 403 || error.statusCode === 401) {
    return originFailure('EACCES', `The origin refused access: ${sasProblem(config.sasToken)}`, `Azure Blob Storage answered ${answer} reading ${where}`);
  }
  if (code === 'ContainerNotFound') {
    return notFound("The origin's storage container was not found: check the container name of the origin", `Container "${config.container}" was not found in account "${config.accountName}" at ${blobServiceUrl(config)}`);
  }
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(error.message)) {
    return originFailure('ECONNREFUSED', "The origin storage refused the connection: check the origin's endpoint", `Azure Blob Storage at ${blobServiceUrl(config)} refused the connection`);
  }
  if (code === 'ETIMEDOUT') return originFailure('ETIMEDOUT', 'The connection to the origin storage timed out', `The connection to Azure Blob Storage at ${blobServiceUrl(config)} timed out`);
  return originFailure('UNIDENTIFIED', `The origin storage failed to deliver the file (${error.statusCode ?? 'no status'})`, `Azure Blob Storage answered ${answer} reading ${where}`);
}

/** AZURE_BLOB origin: reads `<prefix>/<asset path>` from one container with the origin's SAS token. */
export function azureBlobOrigin(config: AzureBlobOriginConfig): Origin {
  // One quick retry for a throttled or reset request; the SDK's default backoff would outlast the fetch deadline.
  const container = new ContainerClient(`${blobServiceUrl(config)}/${config.container}${config.sasToken}`, undefined, { retryOptions: { maxTries: 2, retryDelayInMs: 200 } });
  return {
    async fetch(assetPath, request): Promise<OriginObject | undefined> {
      const { limits } = request;
      const name = blobName(config.prefix, assetPath);
      try {
        const response = await container.getBlobClient(name).download(0, undefined, { abortSignal: fetchSignal(limits) });
        const body = abandonable(response.readableStreamBody!);
        if ((response.contentLength ?? 0) > limits.maxBytes) throw tooLarge(limits.maxBytes, response.contentLength);
        return {
          body: await readCapped(body, limits.maxBytes, response.contentLength, limits.reserve),
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
