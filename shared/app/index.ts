import type { HttpHandler, StorageQueueHandler } from '@azure/functions';
import { createDecodedCache } from '../cache/decoded';
import { RenditionDependencies } from '../cache/dependencies';
import { createEdgePurge, type EdgePurge, type PurgeRecord } from '../cache/edge-purge';
import { createFrontDoorPurge } from '../cache/front-door';
import { createOriginalsCache } from '../cache/originals';
import { PurgeLog } from '../cache/purge-log';
import { RenditionCache } from '../cache/renditions';
import { Collection, createConfigTable, type ConfigTable } from '../config/collection';
import { createRepositories, type Repositories } from '../config/repositories';
import { createConfigSnapshot, type ConfigSnapshot } from '../config/snapshot';
import { serveConsole } from '../console/serve';
import { createDeliveryHandler } from '../delivery/handler';
import type { OriginFetcher } from '../delivery/fetch-original';
import { createHealthHandler } from '../health';
import type { ManageParts } from '../manage/api';
import { createBlobEventHandler, type BlobEventHandler } from '../manage/blob-events';
import { manageNamedTransformations } from '../manage/named-transformations';
import { testOriginAccess } from '../manage/origin-test';
import { manageOrigins } from '../manage/origins';
import { managePurge } from '../manage/purge';
import { manageUrlEndpoints } from '../manage/url-endpoints';
import { createAuthenticator } from '../security/manage-auth';
import { createTransformLimiter, type TransformLimiter } from '../security/transform-limiter';
import { parseSettings, type Settings } from '../settings';
import { blobServiceFrom, createAppStorage, type AppStorage } from '../storage';
import { createRenderer, type Renderer } from '../transform/render';
import { accessPolicy, fetchLimits, frontDoorOptions, limiterOptions, megabytes, renderLimits, storageOptions } from './options';

/** The app's parts, built once from its settings, and the handlers the functions register. */
export interface App {
  settings: Settings;
  storage: AppStorage;
  configTable: ConfigTable;
  repositories: Repositories;
  config: ConfigSnapshot;
  limiter: TransformLimiter;
  renderer: Renderer;
  origins: OriginFetcher;
  renditions: RenditionCache;
  purgeLog: PurgeLog;
  edgePurge: EdgePurge;
  /** Blob Storage events (functions/blob-events.ts). */
  blobEvents: BlobEventHandler;
  handlers: {
    delivery: HttpHandler;
    health: HttpHandler;
    console: HttpHandler;
    origins: HttpHandler;
    urlEndpoints: HttpHandler;
    namedTransformations: HttpHandler;
    purge: HttpHandler;
    originTest: HttpHandler;
    edgePurge: StorageQueueHandler;
    edgePurgePoison: StorageQueueHandler;
  };
}

/** The composition root: every part is made here from `settings`, and handed to what uses it. */
export function createApp(settings: Settings): App {
  const s = settings;
  const storage = createAppStorage(storageOptions(s));
  const configTable = createConfigTable(storage, s.CONFIG_TABLE);
  const repositories = createRepositories(configTable);
  const config = createConfigSnapshot(repositories, { cacheSeconds: s.CONFIG_CACHE_SECONDS });
  const limiter = createTransformLimiter(limiterOptions(s));
  const renditionService = s.RENDITION_STORAGE_CONNECTION_STRING ? blobServiceFrom(s.RENDITION_STORAGE_CONNECTION_STRING, storage.deadlines) : storage.blobService();
  const renditions = new RenditionCache({ container: renditionService.getContainerClient(s.RENDITION_CONTAINER), memoryBytes: megabytes(s.MEMORY_CACHE_MB), maxPerAsset: s.MAX_RENDITIONS_PER_ASSET });
  const originals = createOriginalsCache(megabytes(s.ORIGINALS_CACHE_MB));
  const dependencies = new RenditionDependencies(configTable);
  const purgeLog = new PurgeLog(configTable, {
    syncSeconds: s.PURGE_SYNC_SECONDS,
    forgetLocally: (prefix) => {
      renditions.forget(prefix);
      originals.purge(prefix);
    },
  });
  const frontDoor = frontDoorOptions(s);
  const edgePurge = createEdgePurge({
    records: new Collection<PurgeRecord>(configTable, 'purge'),
    queue: storage.queue(s.PURGE_QUEUE),
    frontDoor: frontDoor && createFrontDoorPurge(frontDoor),
  });
  const renderer = createRenderer({
    autoAvif: s.AUTO_AVIF,
    chromaSubsampling: s.JPEG_CHROMA_SUBSAMPLING,
    defaultQuality: s.DEFAULT_QUALITY,
    limits: renderLimits(s),
    // Only decoding and encoding are admitted, by estimated memory, and only they count against the timeout.
    admit: limiter.admitTransform,
    deadline: { seconds: s.TRANSFORM_TIMEOUT_SECONDS, retryAfterSeconds: limiter.retryAfterSeconds },
    decoded: createDecodedCache(megabytes(s.DECODED_CACHE_MB)),
  });
  const origins: OriginFetcher = { limits: fetchLimits(s), originals };
  const delivery = createDeliveryHandler({
    config,
    access: accessPolicy(s),
    renderer,
    limiter,
    renditions,
    dependencies,
    purgeLog,
    origins,
    maxSvgBytes: s.MAX_SVG_BYTES,
    cacheMaxAgeSeconds: s.CACHE_MAX_AGE_SECONDS,
    errorMaxAgeSeconds: s.ERROR_MAX_AGE_SECONDS,
  });
  const manage: ManageParts = { authenticate: createAuthenticator(s.PRIVATE_API_KEY), configTable, repositories, config, renditions, originals, dependencies, purgeLog, edgePurge, fetchLimits: origins.limits };
  return {
    settings,
    storage,
    configTable,
    repositories,
    config,
    limiter,
    renderer,
    origins,
    renditions,
    purgeLog,
    edgePurge,
    blobEvents: createBlobEventHandler(manage, s.BLOB_EVENT_CONCURRENCY),
    handlers: {
      delivery,
      health: createHealthHandler(configTable, storage.deadlines.tryTimeoutMs),
      console: serveConsole(s.CONSOLE_ENABLED),
      origins: manageOrigins(manage),
      urlEndpoints: manageUrlEndpoints(manage),
      namedTransformations: manageNamedTransformations(manage),
      purge: managePurge(manage),
      originTest: testOriginAccess(manage),
      edgePurge: (entry, context) => edgePurge.perform(entry, (message) => context.warn(message)),
      edgePurgePoison: (entry, context) => edgePurge.recordFailed(entry, (message) => context.warn(message)),
    },
  };
}

let current: App | undefined;

/**
 * This process's app, made from the environment on first use, so a host can fill the environment before that.
 * The functions call it only once the start-up check found the settings valid (shared/startup.ts).
 */
export function app(): App {
  current ??= createApp(parseSettings(process.env));
  return current;
}

/** The app if a request has built it, for shutting down what it started. */
export function builtApp(): App | undefined {
  return current;
}
