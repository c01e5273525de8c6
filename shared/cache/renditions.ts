import { ContainerClient, RestError } from '@azure/storage-blob';
import { LRUCache } from 'lru-cache';
import { buffer } from 'node:stream/consumers';
import { abandonable } from '../http/streams';
import { pathProblem } from '../security/paths';
import { createOnce } from '../storage';
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

async function readBlob(container: ContainerClient, name: string): Promise<StoredRendition | undefined> {
  try {
    // One round trip: the download carries the content type and metadata with the body. A body cut off by the
    // storage deadline is not downloaded again from where it stopped: the read is a miss instead.
    const response = await container.getBlobClient(checkedName(name)).download(0, undefined, { maxRetryRequests: 0 });
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

  /** The stored rendition, from memory or the rendition container; a storage failure reads as a miss. */
  async read(name: string, onError: (message: string) => void): Promise<StoredRendition | undefined> {
    const inMemory = this.memory?.get(name);
    if (inMemory) return inMemory;
    try {
      const stored = await readBlob(this.container, name);
      if (stored) this.memory?.set(name, stored);
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
          await blob.deleteIfExists();
          return;
        }
        this.storedCounts.set(assetPrefix, (this.storedCounts.get(assetPrefix) ?? stored) + 1);
      })
      .then(
        () => undefined,
        (error: unknown) => onError(`rendition cache write failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`),
      );
  }

  /** Deletes every rendition whose name starts with the prefix, in memory and in the container. Returns how many blobs. */
  async purge(prefix: string): Promise<number> {
    checkedName(prefix);
    recordPurge(prefix);
    if (this.memory) forgetPrefix(this.memory, prefix);
    forgetPrefix(this.storedCounts, prefix);
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
