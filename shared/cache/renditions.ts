import { ContainerClient, RestError } from '@azure/storage-blob';
import { LRUCache } from 'lru-cache';
import { PassThrough, type Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { storageUnavailable } from '../http/errors';
import { abandonable } from '../http/streams';
import { pathProblem } from '../security/paths';
import { createOnce } from '../storage';
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

/**
 * What this instance last learnt of a name in the container: 'absent' when a lookup found nothing, so that a
 * repeated miss (a stand-in, an asset over MAX_RENDITIONS_PER_ASSET) skips the lookup; 'present' when it wrote or
 * found one, so that delivery does not fetch the original alongside the lookup. This instance's writes and purges
 * update entries at once; other instances' writes and purges are seen once an entry expires, as memory entries do.
 */
export type Known = 'absent' | 'present';

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

async function readBlob(container: ContainerClient, name: string): Promise<StoredRendition | StreamedRendition | undefined> {
  try {
    // One round trip: the download carries the content type and metadata with the body. A body cut off by the
    // storage deadline is not downloaded again from where it stopped: the read is a miss instead (or, for a streamed
    // body, the response ends early).
    const blob = container.getBlobClient(checkedName(name));
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

const KNOWN_MAX = 10_000;

/** Counts stored renditions under a prefix, stopping at `limit`. */
async function countRenditions(container: ContainerClient, prefix: string, limit: number): Promise<number> {
  let count = 0;
  for await (const page of container.listBlobsFlat({ prefix }).byPage({ maxPageSize: limit })) {
    count += page.segment.blobItems.length;
    if (count >= limit) break;
  }
  return count;
}

/** The rendition container (RENDITION_CONTAINER) and what bounds the cache (MEMORY_CACHE_MB, MAX_RENDITIONS_PER_ASSET). */
export interface RenditionCacheOptions {
  container: ContainerClient;
  /** 0 turns the memory cache off. */
  memoryBytes: number;
  maxPerAsset: number;
}

/** Renditions in this instance's memory and in the rendition container. */
export class RenditionCache {
  private readonly memory: LRUCache<string, StoredRendition> | undefined;
  private readonly container: ContainerClient;
  private readonly maxPerAsset: number;
  private readonly ensureContainer: () => Promise<void>;
  private readonly known = new LRUCache<string, Known>({ max: KNOWN_MAX, ttl: MEMORY_TTL_MS });
  /** Writes this instance started, numbered, and the latest number per name: a lookup that a write of its name overtook records nothing. */
  private writesStarted = 0;
  private readonly lastWrite = new LRUCache<string, number>({ max: KNOWN_MAX });
  /**
   * Stored renditions per asset prefix as this instance knows them: listed once, then counted up as it writes,
   * so a miss costs no listing. Other instances' writes are not seen, so the cap holds per instance.
   */
  private readonly storedCounts = new LRUCache<string, number>({ max: 10_000 });
  private readonly pendingWrites = new Set<Promise<void>>();

  constructor(options: RenditionCacheOptions) {
    const maxSize = Math.floor(options.memoryBytes);
    this.memory = maxSize > 0 ? new LRUCache<string, StoredRendition>({ maxSize, sizeCalculation: (r) => Math.max(1, r.body.length), ttl: MEMORY_TTL_MS }) : undefined;
    this.container = options.container;
    this.maxPerAsset = options.maxPerAsset;
    this.ensureContainer = createOnce(() => this.container.createIfNotExists());
  }

  private writtenSince(name: string, write: number): boolean {
    // A name pushed out of `lastWrite` may have been written: only as many writes as it holds are told apart.
    return (this.lastWrite.get(name) ?? 0) > write || this.writesStarted - write >= KNOWN_MAX;
  }

  /** The rendition as this instance's memory holds it, else what it knows of the name in the container. */
  remembered(name: string): StoredRendition | Known | undefined {
    return this.memory?.get(name) ?? this.known.get(name);
  }

  /** The stored rendition, from memory or the rendition container; a storage failure reads as a miss. */
  async read(name: string, onError: (message: string) => void): Promise<StoredRendition | StreamedRendition | undefined> {
    const remembered = this.remembered(name);
    if (remembered === 'absent') return undefined;
    if (remembered && remembered !== 'present') return remembered;
    // A purge or a write of this name while the read runs makes what it found (or did not find) out of date.
    const since = purgeGeneration();
    const writes = this.writesStarted;
    try {
      const stored = await readBlob(this.container, name);
      const current = !purgedSince(name, since) && !this.writtenSince(name, writes);
      if (current && stored && 'body' in stored) this.memory?.set(name, stored);
      if (current) this.known.set(name, stored ? 'present' : 'absent');
      return stored;
    } catch (error) {
      onError(`rendition cache read failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      return undefined;
    }
  }

  /**
   * Keeps a rendition in memory at once and in the container in the background; a failed write is only logged.
   * An asset that already has MAX_RENDITIONS_PER_ASSET stored renditions gets no more, so random parameters
   * cannot fill the storage account: further variants are still served, transformed each time.
   */
  write(name: string, assetPrefix: string, rendition: StoredRendition, onError: (message: string) => void, since: number): Promise<void> {
    // Made from an original read before a purge of it: serving it once is right, keeping it is not.
    if (purgedSince(name, since)) return Promise.resolve();
    this.lastWrite.set(name, ++this.writesStarted);
    this.known.set(name, 'present');
    this.memory?.set(name, rendition);
    const write = this.store(name, assetPrefix, rendition, onError, since);
    this.pendingWrites.add(write);
    void write.finally(() => this.pendingWrites.delete(write));
    return write;
  }

  /** Resolves once every background write started so far has finished, for a clean shutdown. */
  async settle(): Promise<void> {
    await Promise.all([...this.pendingWrites]);
  }

  private store(name: string, assetPrefix: string, rendition: StoredRendition, onError: (message: string) => void, since: number): Promise<void> {
    const limit = this.maxPerAsset;
    const metadata: Record<string, string> = { [META.etag]: rendition.etag, [META.negotiated]: String(rendition.negotiated) };
    if (rendition.lastModified) metadata[META.lastModified] = rendition.lastModified;
    if (rendition.extraHeaders) metadata[META.extra] = Buffer.from(JSON.stringify(rendition.extraHeaders)).toString('base64');
    return this.ensureContainer()
      .then(async () => {
        const stored = this.storedCounts.get(assetPrefix) ?? (await countRenditions(this.container, assetPrefix, limit));
        if (stored >= limit) throw new Error(`"${assetPrefix}" has ${limit} stored renditions (MAX_RENDITIONS_PER_ASSET); this one is not stored`);
        const blob = this.container.getBlockBlobClient(checkedName(name));
        await blob.uploadData(rendition.body, { blobHTTPHeaders: { blobContentType: rendition.contentType }, metadata });
        // A purge that ran while this was uploading may have listed the prefix before the blob existed.
        if (purgedSince(name, since)) {
          this.memory?.delete(name);
          this.known.delete(name);
          await blob.deleteIfExists();
          return;
        }
        this.storedCounts.set(assetPrefix, (this.storedCounts.get(assetPrefix) ?? stored) + 1);
      })
      .then(
        () => undefined,
        (error: unknown) => {
          this.known.delete(name);
          onError(`rendition cache write failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        },
      );
  }

  /** Forgets every rendition whose name starts with the prefix from this instance's memory; work in flight does not store it. */
  forget(prefix: string): void {
    checkedName(prefix);
    recordPurge(prefix);
    if (this.memory) forgetPrefix(this.memory, prefix);
    forgetPrefix(this.known, prefix);
    forgetPrefix(this.storedCounts, prefix);
  }

  /** The rendition container's URL, so blob events about renditions themselves are told apart. */
  containerUrl(): string {
    return this.container.url.split('?')[0];
  }

  /** Deletes every rendition whose name starts with the prefix, in memory and in the container. Returns how many blobs. */
  async purge(prefix: string): Promise<number> {
    this.forget(prefix);
    let deleted = 0;
    try {
      for await (const blob of this.container.listBlobsFlat({ prefix })) {
        await this.container.deleteBlob(blob.name, { deleteSnapshots: 'include' }).catch((error: unknown) => {
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
}
