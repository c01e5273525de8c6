import { ContainerClient, RestError } from '@azure/storage-blob';
import { LRUCache } from 'lru-cache';
import { PassThrough, type Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { storageUnavailable } from '../http/errors';
import { abandonable } from '../http/streams';
import { pathProblem } from '../security/paths';
import { settings } from '../settings';
import { appBlobService, blobServiceFrom, createOnce } from '../storage';
import { forgetPrefix } from './key';
import { purgedSince, purgeGeneration, recordPurge } from './purge-generation';

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

/** A stored rendition larger than this is sent as storage delivers it, and not kept in memory. */
export const STREAM_HITS_ABOVE_BYTES = 256 * 1024;

/**
 * A stored rendition whose body is sent while storage delivers it. Storage is read at its own pace into a relay
 * that holds up to the whole body, so a slow client never holds the storage read past its deadline; a failure
 * mid-body ends the response early (its Content-Length tells the client).
 */
export interface StreamedRendition extends Omit<StoredRendition, 'body'> {
  length: number;
  /** The body: the first call takes the download the lookup started, later ones (coalesced requests) download it again. */
  takeBody(): Promise<Readable>;
  /** Ends the lookup's download when the answer has no body (HEAD, 304). */
  dropBody(): void;
}

/**
 * Memory entries live briefly: a purge reaches only this instance's memory, so other instances may serve a
 * purged rendition from memory for at most this long.
 */
const MEMORY_TTL_MS = 60_000;

let memory: LRUCache<string, StoredRendition> | undefined;

/**
 * What this instance last learnt of a name in the container: 'absent' when a lookup found nothing, so that a
 * repeated miss (a stand-in, an asset over MAX_RENDITIONS_PER_ASSET) skips the lookup; 'present' when it wrote or
 * found one, so that delivery does not fetch the original alongside the lookup. This instance's writes and purges
 * update entries at once; other instances' writes and purges are seen once an entry expires, as memory entries do.
 */
export type Known = 'absent' | 'present';
const KNOWN_MAX = 10_000;
const known = new LRUCache<string, Known>({ max: KNOWN_MAX, ttl: MEMORY_TTL_MS });
/** Writes this instance started, numbered, and the latest number per name: a lookup that a write of its name overtook records nothing. */
let writesStarted = 0;
const lastWrite = new LRUCache<string, number>({ max: KNOWN_MAX });

function writtenSince(name: string, write: number): boolean {
  // A name pushed out of `lastWrite` may have been written: only as many writes as it holds are told apart.
  return (lastWrite.get(name) ?? 0) > write || writesStarted - write >= KNOWN_MAX;
}

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

/** The download's body through a relay that takes it all in without waiting for the reader. */
function relayed(body: NodeJS.ReadableStream, length: number): Readable {
  const relay = new PassThrough({ highWaterMark: Math.max(length, 16 * 1024) });
  pipeline(body, relay).catch(() => undefined);
  return relay;
}

async function readBlob(name: string): Promise<StoredRendition | StreamedRendition | undefined> {
  try {
    // One round trip: the download carries the content type and metadata with the body. A body cut off by the
    // storage deadline is not downloaded again from where it stopped: the read is a miss instead (or, for a streamed
    // body, the response ends early).
    const blob = blobContainer().getBlobClient(checkedName(name));
    const response = await blob.download(0, undefined, { maxRetryRequests: 0 });
    const metadata = response.metadata ?? {};
    const body = abandonable(response.readableStreamBody!);
    if (!metadata[META.etag] || !response.contentType) {
      destroy(body);
      return undefined;
    }
    const length = response.contentLength ?? 0;
    if (length > STREAM_HITS_ABOVE_BYTES) {
      let first: Readable | undefined = relayed(body, length);
      return {
        ...describe(metadata, response.contentType),
        length,
        async takeBody() {
          const taken = first;
          first = undefined;
          if (taken) return taken;
          // Only the same blob: a rendition replaced or purged meanwhile fails this request, to be tried again.
          try {
            const again = await blob.download(0, undefined, { maxRetryRequests: 0, conditions: { ifMatch: response.etag } });
            return relayed(abandonable(again.readableStreamBody!), length);
          } catch (error) {
            throw storageUnavailable(error);
          }
        },
        dropBody() {
          if (first) destroy(first);
          first = undefined;
        },
      };
    }
    return { body: await buffer(body), ...describe(metadata, response.contentType) };
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return undefined;
    throw error;
  }
}

function destroy(stream: NodeJS.ReadableStream): void {
  (stream as Readable).destroy?.();
}

/** A stored rendition's headers from its blob's metadata. */
function describe(metadata: Record<string, string>, contentType: string): Omit<StoredRendition, 'body'> {
  return {
    contentType,
      etag: metadata[META.etag],
      negotiated: metadata[META.negotiated] === 'true',
      lastModified: metadata[META.lastModified],
    extraHeaders: metadata[META.extra] ? (JSON.parse(Buffer.from(metadata[META.extra], 'base64').toString()) as Record<string, string>) : undefined,
  };
}

/** The rendition as this instance's memory holds it, else what it knows of the name in the container. */
export function rememberedRendition(name: string): StoredRendition | Known | undefined {
  return memoryCache()?.get(name) ?? known.get(name);
}

/** The stored rendition, from memory or the rendition container; a storage failure reads as a miss. */
export async function readRendition(name: string, onError: (message: string) => void): Promise<StoredRendition | StreamedRendition | undefined> {
  const remembered = rememberedRendition(name);
  if (remembered === 'absent') return undefined;
  if (remembered && remembered !== 'present') return remembered;
  // A purge or a write of this name while the read runs makes what it found (or did not find) out of date.
  const since = purgeGeneration();
  const writes = writesStarted;
  try {
    const stored = await readBlob(name);
    const current = !purgedSince(name, since) && !writtenSince(name, writes);
    if (current && stored && 'body' in stored) memoryCache()?.set(name, stored);
    if (current) known.set(name, stored ? 'present' : 'absent');
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
  lastWrite.set(name, ++writesStarted);
  known.set(name, 'present');
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
        known.delete(name);
        await blob.deleteIfExists();
        return;
      }
      storedCounts.set(assetPrefix, (storedCounts.get(assetPrefix) ?? stored) + 1);
    })
    .then(
      () => undefined,
      (error: unknown) => {
        known.delete(name);
        onError(`rendition cache write failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      },
    );
}

/** Forgets every rendition whose name starts with the prefix from this instance's memory; work in flight does not store it. */
export function forgetRenditions(prefix: string): void {
  checkedName(prefix);
  recordPurge(prefix);
  const cache = memoryCache();
  if (cache) forgetPrefix(cache, prefix);
  forgetPrefix(known, prefix);
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
