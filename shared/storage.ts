import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import { BlobServiceClient, newPipeline, type RequestPolicyFactory } from '@azure/storage-blob';
import { QueueClient, QueueServiceClient, newPipeline as newQueuePipeline } from '@azure/storage-queue';
import { appIdentity } from './identity';

/** What bounds one storage operation of the app's own storage (config table, rendition container). */
export interface StorageDeadlines {
  /** One try: a service that accepts the connection and then says nothing (a paused process) is given up on. */
  tryTimeoutMs: number;
  /** All tries of one operation together, retry delays included. */
  deadlineMs: number;
  /** Tries of one operation at most: throttling and connection resets are retried, a timed-out try is not. */
  maxTries: number;
}

/**
 * Where the app's own storage is (STORAGE_CONNECTION_STRING, or STORAGE_ACCOUNT_NAME and the service endpoints for
 * the managed identity) and what bounds its calls.
 */
export interface AppStorageOptions {
  /** An account key or SAS connection string; without it, `accountName` with the managed identity. */
  connectionString?: string;
  accountName?: string;
  blobEndpoint?: string;
  tableEndpoint?: string;
  queueEndpoint?: string;
  deadlines: StorageDeadlines;
}

/** Clients for the app's own storage (config table, rendition container, purge queue), every call bounded. */
export interface AppStorage {
  readonly deadlines: StorageDeadlines;
  blobService(): BlobServiceClient;
  /** `deadlines` narrows the bounds (the health probe's). */
  table(name: string, deadlines?: StorageDeadlines): TableClient;
  queue(name: string): QueueClient;
}

interface BoundableRequest {
  timeout: number;
  abortSignal?: AbortSignal | { readonly aborted: boolean };
}

/**
 * Puts both bounds on a request as it enters the SDK's pipeline, before its retry policy: the HTTP client aborts
 * each try after `timeout`, and the signal ends the whole operation, waits between tries included.
 */
function bound(request: BoundableRequest, deadlines: StorageDeadlines): void {
  request.timeout = deadlines.tryTimeoutMs;
  const deadline = AbortSignal.timeout(deadlines.deadlineMs);
  const caller = request.abortSignal;
  request.abortSignal = caller instanceof AbortSignal ? AbortSignal.any([caller, deadline]) : deadline;
}

/** Retries within what the deadlines allow. */
function boundedPipelineOptions(deadlines: StorageDeadlines) {
  return { retryOptions: { maxTries: deadlines.maxTries, retryDelayInMs: 200, maxRetryDelayInMs: 1000 } };
}

/** Puts both bounds on each request as it enters the pipeline, before the SDK's retry policy. */
const deadlineFactory = (deadlines: StorageDeadlines): RequestPolicyFactory => ({
  create: (next) => ({
    sendRequest: (request) => {
      bound(request, deadlines);
      return next.sendRequest(request);
    },
  }),
});

/** The same blob service with every operation bounded by `deadlines` (the SDK's own timeout only tells the server). */
function boundedBlobService(service: BlobServiceClient, deadlines: StorageDeadlines): BlobServiceClient {
  const pipeline = newPipeline(service.credential, boundedPipelineOptions(deadlines));
  pipeline.factories.push(deadlineFactory(deadlines));
  return new BlobServiceClient(service.url, pipeline);
}

/** Table client options that bound every operation by `deadlines`. */
function boundedTableOptions(deadlines: StorageDeadlines): TableServiceClientOptions {
  return {
    retryOptions: { maxRetries: deadlines.maxTries - 1, retryDelayInMs: 200, maxRetryDelayInMs: 1000 },
    additionalPolicies: [
      {
        position: 'perCall',
        policy: {
          name: 'storageDeadline',
          sendRequest: (request, next) => {
            bound(request, deadlines);
            return next(request);
          },
        },
      },
    ],
  };
}

/** A blob service from a connection string (account key or SAS), every operation bounded. */
export function blobServiceFrom(connectionString: string, deadlines: StorageDeadlines): BlobServiceClient {
  return boundedBlobService(BlobServiceClient.fromConnectionString(connectionString), deadlines);
}

export function createAppStorage(options: AppStorageOptions): AppStorage {
  const { connectionString, deadlines } = options;
  /** A service URL of the identity-reached account: as configured (Bicep writes them with a trailing slash), else the public cloud's. */
  const serviceUrl = (configured: string | undefined, service: 'blob' | 'queue' | 'table') => (configured ?? `https://${options.accountName}.${service}.core.windows.net`).replace(/\/+$/, '');
  return {
    deadlines,
    blobService() {
      if (connectionString) return blobServiceFrom(connectionString, deadlines);
      return boundedBlobService(new BlobServiceClient(serviceUrl(options.blobEndpoint, 'blob'), appIdentity()), deadlines);
    },
    table(name, tableDeadlines = deadlines) {
      const tableOptions = boundedTableOptions(tableDeadlines);
      if (connectionString) {
        return TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: connectionString.includes('http://'), ...tableOptions });
      }
      return new TableClient(serviceUrl(options.tableEndpoint, 'table'), name, appIdentity(), tableOptions);
    },
    queue(name) {
      // The queue SDK keeps a client's credential to itself; the blob SDK reads a connection string into the same
      // credential class (both come from @azure/storage-common).
      const [url, credential] = connectionString
        ? [QueueServiceClient.fromConnectionString(connectionString).getQueueClient(name).url, BlobServiceClient.fromConnectionString(connectionString).credential]
        : [new QueueServiceClient(serviceUrl(options.queueEndpoint, 'queue')).getQueueClient(name).url, appIdentity()];
      const pipeline = newQueuePipeline(credential, boundedPipelineOptions(deadlines));
      pipeline.factories.push(deadlineFactory(deadlines));
      return new QueueClient(url, pipeline);
    },
  };
}

/**
 * The app's own storage failed to answer (deadline, connection refused or reset, a 5xx after its retries), as
 * opposed to answering "no": callers turn it into 503, never 500.
 */
export function isStorageOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'AbortError') return true;
  const status = (error as { statusCode?: number }).statusCode;
  return error.name === 'RestError' && (status === undefined || status >= 500);
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
