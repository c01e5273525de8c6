import { ContainerClient, RestError } from '@azure/storage-blob';
import { LRUCache } from 'lru-cache';
import { buffer } from 'node:stream/consumers';
import { abandonable } from '../http/streams';
import { pathProblem } from '../security/paths';
import { settings } from '../settings';
import { appBlobService, blobServiceFrom, createOnce } from '../storage';
import { forgetPrefix } from './key';
import { purgedSince, recordPurge } from './purge-generation';

/** A finished response body with the headers that belong to it, as the rendition cache keeps it. */
export interface StoredRendition {
  body: Buffer;
  contentType: string;
  /** Strong ETag over `body`. */
  etag: string;
  /** The response varies with Accept. */
  negotiated: boolean;
  lastModified?: string;
  extraHeaders?: Record<string, string>;
}

/**
 * Memory entries live briefly: a purge reaches only this instance's memory, so other instances may serve a
 * purged rendition from memory for at most this long.
 */
const MEMORY_TTL_MS = 60_000;

let memory: LRUCache<string, StoredRendition> | undefined;
let container: ContainerClient | undefined;

function memoryCache(): LRUCache<string, StoredRendition> | undefined {
  const maxSize = Math.floor(settings().MEMORY_CACHE_MB * 1024 * 1024);
  if (maxSize <= 0) return undefined;
  memory ??= new LRUCache<string, StoredRendition>({ maxSize, sizeCalculation: (r) => Math.max(1, r.body.length), ttl: MEMORY_TTL_MS });
  return memory;
}

function blobContainer(): ContainerClient {
  if (!container) {
    const s = settings();
    const service = s.RENDITION_STORAGE_CONNECTION_STRING ? blobServiceFrom(s.RENDITION_STORAGE_CONNECTION_STRING) : appBlobService();
    container = service.getContainerClient(s.RENDITION_CONTAINER);
  }
  return container;
}

const ensureContainer = createOnce(() => blobContainer().createIfNotExists());

// Blob metadata names must be identifiers; values are ASCII.
const META = { etag: 'contentetag', negotiated: 'negotiated', lastModified: 'originlastmodified', extra: 'extraheaders' };

/**
 * A rendition's blob name, refused (as a storage failure) when it could resolve outside `<container>/<endpoint id>/`:
 * names hold the asset path, which delivery checked already; this holds whatever a caller passes.
 */
function checkedName(name: string): string {
  const problem = pathProblem(name);
  if (problem || !/^[^/]+\//.test(name)) throw new Error(`rendition name refused: it ${problem ?? 'names no endpoint folder'}`);
  return name;
}

async function readBlob(name: string): Promise<StoredRendition | undefined> {
  try {
    // One round trip: the download carries the content type and metadata with the body. A body cut off by the
    // storage deadline is not downloaded again from where it stopped: the read is a miss instead.
    const response = await blobContainer().getBlobClient(checkedName(name)).download(0, undefined, { maxRetryRequests: 0 });
    const metadata = response.metadata ?? {};
    if (!metadata[META.etag] || !response.contentType) return undefined;
    return {
      body: await buffer(abandonable(response.readableStreamBody!)),
      contentType: response.contentType,
      etag: metadata[META.etag],
      negotiated: metadata[META.negotiated] === 'true',
      lastModified: metadata[META.lastModified],
      extraHeaders: metadata[META.extra] ? (JSON.parse(Buffer.from(metadata[META.extra], 'base64').toString()) as Record<string, string>) : undefined,
    };
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return undefined;
    throw error;
  }
}

/** The stored rendition, from memory or the rendition container; a storage failure reads as a miss. */
export async function readRendition(name: string, onError: (message: string) => void): Promise<StoredRendition | undefined> {
  const inMemory = memoryCache()?.get(name);
  if (inMemory) return inMemory;
  try {
    const stored = await readBlob(name);
    if (stored) memoryCache()?.set(name, stored);
    return stored;
  } catch (error) {
    onError(`rendition cache read failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return undefined;
  }
}

/**
 * Stored renditions per asset prefix as this instance knows them: listed once, then counted up as it writes,
 * so a miss costs no listing. Other instances' writes are not seen, so the cap holds per instance.
 */
const storedCounts = new LRUCache<string, number>({ max: 10_000 });

/** Counts stored renditions under a prefix, stopping at `limit`. */
async function countRenditions(prefix: string, limit: number): Promise<number> {
  let count = 0;
  for await (const page of blobContainer().listBlobsFlat({ prefix }).byPage({ maxPageSize: limit })) {
    count += page.segment.blobItems.length;
    if (count >= limit) break;
  }
  return count;
}

/**
 * Keeps a rendition in memory at once and in the container in the background; a failed write is only logged.
 * An asset that already has MAX_RENDITIONS_PER_ASSET stored renditions gets no more, so random parameters
 * cannot fill the storage account: further variants are still served, transformed each time.
 */
export function writeRendition(name: string, assetPrefix: string, rendition: StoredRendition, onError: (message: string) => void, since: number): Promise<void> {
  // Made from an original read before a purge of it: serving it once is right, keeping it is not.
  if (purgedSince(name, since)) return Promise.resolve();
  memoryCache()?.set(name, rendition);
  const write = storeRendition(name, assetPrefix, rendition, onError, since);
  pendingWrites.add(write);
  void write.finally(() => pendingWrites.delete(write));
  return write;
}

const pendingWrites = new Set<Promise<void>>();

/** Resolves once every background write started so far has finished, for a clean shutdown. */
export async function settleRenditionWrites(): Promise<void> {
  await Promise.all([...pendingWrites]);
}

function storeRendition(name: string, assetPrefix: string, rendition: StoredRendition, onError: (message: string) => void, since: number): Promise<void> {
  const limit = settings().MAX_RENDITIONS_PER_ASSET;
  const metadata: Record<string, string> = { [META.etag]: rendition.etag, [META.negotiated]: String(rendition.negotiated) };
  if (rendition.lastModified) metadata[META.lastModified] = rendition.lastModified;
  if (rendition.extraHeaders) metadata[META.extra] = Buffer.from(JSON.stringify(rendition.extraHeaders)).toString('base64');
  return ensureContainer()
    .then(async () => {
      const stored = storedCounts.get(assetPrefix) ?? (await countRenditions(assetPrefix, limit));
      if (stored >= limit) throw new Error(`"${assetPrefix}" has ${limit} stored renditions (MAX_RENDITIONS_PER_ASSET); this one is not stored`);
      const blob = blobContainer().getBlockBlobClient(checkedName(name));
      await blob.uploadData(rendition.body, { blobHTTPHeaders: { blobContentType: rendition.contentType }, metadata });
      // A purge that ran while this was uploading may have listed the prefix before the blob existed.
      if (purgedSince(name, since)) {
        memoryCache()?.delete(name);
        await blob.deleteIfExists();
        return;
      }
      storedCounts.set(assetPrefix, (storedCounts.get(assetPrefix) ?? stored) + 1);
    })
    .then(
      () => undefined,
      (error: unknown) => onError(`rendition cache write failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`),
    );
}

/** Forgets every rendition whose name starts with the prefix from this instance's memory; work in flight does not store it. */
export function forgetRenditions(prefix: string): void {
  checkedName(prefix);
  recordPurge(prefix);
  const cache = memoryCache();
  if (cache) forgetPrefix(cache, prefix);
  forgetPrefix(storedCounts, prefix);
}

/** The rendition container's URL, so blob events about renditions themselves are told apart. */
export function renditionContainerUrl(): string {
  return blobContainer().url.split('?')[0];
}

/** Deletes every rendition whose name starts with the prefix, in memory and in the container. Returns how many blobs. */
export async function purgeRenditions(prefix: string): Promise<number> {
  forgetRenditions(prefix);
  let deleted = 0;
  try {
    for await (const blob of blobContainer().listBlobsFlat({ prefix })) {
      await blobContainer().deleteBlob(blob.name, { deleteSnapshots: 'include' }).catch((error: unknown) => {
        if (!(error instanceof RestError && error.statusCode === 404)) throw error;
      });
      deleted++;
    }
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404 && error.code === 'ContainerNotFound') return deleted;
    throw error;
  }
  return deleted;
}
