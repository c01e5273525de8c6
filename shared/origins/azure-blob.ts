import { ContainerClient, RestError } from '@azure/storage-blob';
import { IkError, notFound, originDenied, originRefused, originTimedOut, originUnresolved } from '../http/errors';
import type { AzureBlobOriginConfig } from '../config/schemas';
import { abandonable } from '../http/streams';
import { checkSafePath } from '../security/paths';
import { fetchSignal, readCapped, tooLarge } from './body';
import type { AccessReport, Origin, OriginObject } from './types';

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

/** What a SAS token's own fields (`se`, `st`, `sp`) say is wrong with it now, if anything. Never its signature. */
function sasFieldProblem(sasToken: string, now: Date): AccessReport | undefined {
  const fields = new URLSearchParams(sasToken.replace(/^\?/, ''));
  const expiry = fields.get('se');
  if (expiry && Date.parse(expiry) <= now.getTime()) return { verdict: 'sas-expired', message: `its SAS token expired on ${expiry}; create a new one and update the origin` };
  const start = fields.get('st');
  if (start && Date.parse(start) > now.getTime()) return { verdict: 'sas-not-yet-valid', message: `its SAS token is not valid before ${start}` };
  const permissions = fields.get('sp');
  if (permissions !== null && !permissions.includes('r')) {
    return { verdict: 'no-read-permission', message: `its SAS token lacks read permission (sp=${permissions}); create one with "r"` };
  }
  return undefined;
}

/**
 * What is wrong with a SAS token that storage refused, read from its own fields (`se`, `st`, `sp`), so the
 * operator knows what to fix. Only those fields are repeated, never the signature; the text is public.
 */
export function sasProblem(sasToken: string, now = new Date()): string {
  return (
    sasFieldProblem(sasToken, now)?.message ??
    'check that its SAS token is valid, signed with a current key and has read permission, and that the storage firewall admits this server'
  );
}

/** Codes of a request that never reached storage: the endpoint is wrong, down or firewalled. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'REQUEST_SEND_ERROR']);

/**
 * The verdict on a failed access test, from storage's status and error code (AuthenticationFailed,
 * AuthorizationFailure, AuthorizationPermissionMismatch, ContainerNotFound) and the SAS token's own fields. Storage
 * says "AuthenticationFailed" for an expired token (Azurite says AuthorizationFailure), so the fields decide.
 */
function accessVerdict(error: unknown, config: AzureBlobOriginConfig, assetPath: string | undefined): AccessReport {
  const service = blobServiceUrl(config);
  const code = error instanceof RestError ? (error.code ?? '') : '';
  const status = error instanceof RestError ? error.statusCode : undefined;
  if ((error instanceof Error && error.name === 'AbortError') || status === undefined) {
    const cause = code || (error as NodeJS.ErrnoException).code || (error instanceof Error ? error.name : 'error');
    const known = UNREACHABLE.has(cause) || cause === 'AbortError';
    return { verdict: known ? 'unreachable' : 'failed', message: `Azure Blob Storage at ${service} could not be reached (${cause === 'AbortError' ? 'no answer in time' : cause}): check the account name and endpoint` };
  }
  if (status === 404 && code === 'ContainerNotFound') {
    return { verdict: 'container-missing', message: `Container "${config.container}" does not exist in account "${config.accountName}": check the container name` };
  }
  if (status === 404 && assetPath !== undefined) return { verdict: 'asset-missing', message: `The origin can be read, but has no blob "${blobName(config.prefix, assetPath)}"` };
  if (status === 403 || status === 401) {
    const fields = sasFieldProblem(config.sasToken, new Date());
    if (fields) return { verdict: fields.verdict, message: `Storage refused access (${code}): ${fields.message}` };
    if (code === 'AuthorizationPermissionMismatch' || code === 'AuthorizationResourceTypeMismatch') {
      return { verdict: 'no-read-permission', message: `Storage refused access (${code}): the SAS token does not allow reading blobs; create one with read permission ("r") on the container or account` };
    }
    const why =
      code === 'AuthenticationFailed'
        ? 'the signature is not accepted: the account key it was signed with may have been rotated, or the token was altered'
        : 'the token\'s signature may not match the account key (rotated, or the token altered), or the storage firewall or network rules do not admit this server';
    return { verdict: 'access-denied', message: `Storage refused access (${code || status}): ${why}` };
  }
  return { verdict: 'failed', message: `Azure Blob Storage answered ${status} ${code}`.trim() };
}

/** The blob an access test reads when it is given no asset path: its absence still proves access. */
const PROBE_BLOB = '.imagekit-access-test';

/**
 * Explains a storage failure: the public message says what kind of failure it was and what to fix; the detail,
 * logged and never sent, names the account, container, blob and endpoint. Neither repeats the SAS token.
 */
function mapError(error: unknown, config: AzureBlobOriginConfig, name: string): IkError {
  const where = `blob "${name}" in container "${config.container}" of account "${config.accountName}" at ${blobServiceUrl(config)}`;
  if (error instanceof Error && error.name === 'AbortError') {
    return originTimedOut('The origin storage did not deliver the file in time', `Azure Blob Storage did not deliver ${where} in time`);
  }
  if (!(error instanceof RestError)) {
    return originUnresolved('Reading from the origin storage failed', `Reading ${where} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Storage's status and error code say what happened; the SDK's message adds only request ids and times.
  const code = error.code ?? String(error.statusCode ?? '');
  const answer = `${error.statusCode ?? 'no status'} ${error.code ?? ''}`.trim();
  if (error.statusCode === 403 || error.statusCode === 401) {
    return originDenied(`The origin refused access: ${sasProblem(config.sasToken)}`, `Azure Blob Storage answered ${answer} reading ${where}`);
  }
  if (code === 'ContainerNotFound') {
    return notFound("The origin's storage container was not found: check the container name of the origin", `Container "${config.container}" was not found in account "${config.accountName}" at ${blobServiceUrl(config)}`);
  }
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(error.message)) {
    return originRefused("The origin storage refused the connection: check the origin's endpoint", `Azure Blob Storage at ${blobServiceUrl(config)} refused the connection`);
  }
  if (code === 'ETIMEDOUT') return originTimedOut('The connection to the origin storage timed out', `The connection to Azure Blob Storage at ${blobServiceUrl(config)} timed out`);
  return originUnresolved(`The origin storage failed to deliver the file (${error.statusCode ?? 'no status'})`, `Azure Blob Storage answered ${answer} reading ${where}`);
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

    async test(assetPath, limits): Promise<AccessReport> {
      const name = blobName(config.prefix, assetPath ?? PROBE_BLOB);
      const readable = { verdict: 'ok', message: 'The origin can be read with its SAS token' } as const;
      try {
        // A GET of one byte, not a HEAD: storage names its error (ContainerNotFound, AuthorizationPermissionMismatch) only in a body.
        const found = await container.getBlobClient(name).download(0, 1, { abortSignal: AbortSignal.timeout(limits.timeoutMs) });
        found.readableStreamBody?.resume();
        const size = /\/(\d+)$/.exec(found.contentRange ?? '')?.[1] ?? String(found.contentLength ?? 0);
        return assetPath === undefined ? readable : { verdict: 'ok', message: `Read blob "${name}" (${found.contentType ?? 'no content type'}, ${size} bytes)` };
      } catch (error) {
        if (error instanceof RestError) {
          // An empty blob has no first byte; a missing probe blob (BlobNotFound) means the token was accepted for reading.
          if (error.statusCode === 416) return assetPath === undefined ? readable : { verdict: 'ok', message: `Read blob "${name}" (0 bytes)` };
          if (assetPath === undefined && error.statusCode === 404 && error.code === 'BlobNotFound') return readable;
        }
        return accessVerdict(error, config, assetPath);
      }
    },
  };
}
