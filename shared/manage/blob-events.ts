import pLimit from 'p-limit';
import { z } from 'zod';
import { deliveryPath, purgeTarget, type PurgeTarget } from './purge-target';
import { IkError } from '../http/errors';
import type { AzureBlobOriginConfig } from '../config/schemas';
import type { DeliveryConfig } from '../config/snapshot';
import { blobServiceUrl } from '../origins/azure-blob';
import { pathProblem } from '../security/paths';
import type { ManageParts } from './api';
import { runPurge } from './purge';

export const BLOB_EVENT_TYPES = ['Microsoft.Storage.BlobCreated', 'Microsoft.Storage.BlobDeleted'];

/** The fields a blob event is read for, in the Event Grid schema (`eventType`) or CloudEvents 1.0 (`type`). */
const eventGridSchema = z.object({ id: z.string(), eventType: z.string(), data: z.object({ url: z.string() }).optional() });
const cloudEventSchema = z.object({ id: z.string(), type: z.string(), specversion: z.string(), data: z.object({ url: z.string() }).optional() });

/** Why an event purged nothing; counted per reason. */
export type IgnoredReason = 'not a blob event' | 'malformed event' | 'rendition container' | 'no origin reads this blob' | 'unsafe blob path' | 'not a deliverable path';

export type BlobEventOutcome = { purged: string[] } | { ignored: IgnoredReason };

interface BlobEvent {
  id: string;
  type: string;
  url: URL;
}

function readEvent(raw: unknown): BlobEvent | IgnoredReason {
  const grid = eventGridSchema.safeParse(raw);
  const cloud = grid.success ? undefined : cloudEventSchema.safeParse(raw);
  const event = grid.success ? { id: grid.data.id, type: grid.data.eventType, data: grid.data.data } : cloud?.success ? { id: cloud.data.id, type: cloud.data.type, data: cloud.data.data } : undefined;
  if (!event) return 'malformed event';
  if (!BLOB_EVENT_TYPES.includes(event.type)) return 'not a blob event';
  if (!event.data) return 'malformed event';
  try {
    const url = new URL(event.data.url);
    return url.protocol === 'https:' || url.protocol === 'http:' ? { id: event.id, type: event.type, url } : 'malformed event';
  } catch {
    return 'malformed event';
  }
}

/** `<scheme>://<host>/<path>/` of a container, lower-cased host, without query. */
function containerBase(serviceUrl: string, container: string): string | undefined {
  try {
    const url = new URL(`${serviceUrl.replace(/\/+$/, '')}/${container}/`);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return undefined;
  }
}

/** The blob name within the origin's container, decoded once as storage names it, if the URL is in that container. */
function blobNameIn(url: URL, origin: AzureBlobOriginConfig): string | undefined {
  const target = `${url.protocol}//${url.host}${url.pathname}`;
  // Events name the account's public URL; the origin may read it through its configured endpoint (Azurite, private endpoint).
  const bases = [containerBase(blobServiceUrl(origin), origin.container), containerBase(`https://${origin.accountName}.blob.core.windows.net`, origin.container)];
  const base = bases.find((b) => b !== undefined && target.startsWith(b));
  return base === undefined ? undefined : target.slice(base.length);
}

interface Asset {
  /** The delivery path purged, `/<url prefix>/<asset path>`. */
  path: string;
}

/** Every delivery path that serves this blob: per origin reading its container under a matching prefix, per endpoint listing that origin. */
function assetsOf(url: URL, config: DeliveryConfig): Asset[] | IgnoredReason {
  const paths = new Set<string>();
  let unsafe = false;
  for (const origin of config.origins.values()) {
    if (origin.type !== 'AZURE_BLOB') continue;
    const encoded = blobNameIn(url, origin);
    if (encoded === undefined || encoded === '') continue;
    let name: string;
    try {
      name = decodeURIComponent(encoded);
    } catch {
      unsafe = true;
      continue;
    }
    if (pathProblem(name) !== undefined) {
      unsafe = true;
      continue;
    }
    const prefix = origin.prefix.replace(/^\/+|\/+$/g, '');
    if (prefix !== '' && !name.startsWith(`${prefix}/`)) continue;
    const assetPath = prefix === '' ? name : name.slice(prefix.length + 1);
    if (assetPath === '') continue;
    for (const endpoint of config.endpoints) {
      if (!endpoint.origins.includes(origin.id)) continue;
      paths.add(deliveryPath(endpoint.urlPrefix, assetPath));
    }
  }
  if (paths.size > 0) return [...paths].map((path) => ({ path }));
  return unsafe ? 'unsafe blob path' : 'no origin reads this blob';
}

/** Delivery URLs are only parsed for their path here; the host is never contacted. */
const PATH_BASE = 'http://localhost';

async function purgeBlob(parts: ManageParts, event: BlobEvent, log: (message: string) => void): Promise<BlobEventOutcome> {
  const config = await parts.config.current();
  const assets = assetsOf(event.url, config);
  if (typeof assets === 'string') return { ignored: assets };
  const purged: string[] = [];
  for (const { path } of assets) {
    let target: PurgeTarget;
    try {
      target = purgeTarget(`${PATH_BASE}${path}`, config);
    } catch (error) {
      if (!(error instanceof IkError)) throw error;
      log(`blob event ${event.id}: ${path} is not a deliverable path: ${error.message}`);
      continue;
    }
    purged.push(await runPurge(parts, path, target, log, { id: event.id, type: event.type, blobUrl: `${event.url.origin}${event.url.pathname}` }));
  }
  return purged.length > 0 ? { purged } : { ignored: 'not a deliverable path' };
}

export type BlobEventHandler = (raw: unknown, log: (message: string) => void) => Promise<BlobEventOutcome>;

/**
 * Handles one Blob Storage event (either schema): purges what every endpoint serves from that blob, exactly as a
 * management purge of the asset would; anything else is ignored, with the reason. At most `concurrency`
 * (BLOB_EVENT_CONCURRENCY) purges run at once per instance. A storage failure is thrown, so Event Grid delivers the
 * event again.
 */
export function createBlobEventHandler(parts: ManageParts, concurrency: number): BlobEventHandler {
  const limiter = pLimit(concurrency);
  /** Events waiting for a slot, by blob URL: a burst that names one blob many times purges it once. */
  const waiting = new Map<string, Promise<BlobEventOutcome>>();
  return (raw, log) => {
    const event = readEvent(raw);
    if (typeof event === 'string') return Promise.resolve({ ignored: event });
    const renditions = `${parts.renditions.containerUrl()}/`;
    const key = `${event.url.protocol}//${event.url.host}${event.url.pathname}`;
    if (key.startsWith(renditions)) return Promise.resolve({ ignored: 'rendition container' });
    const queued = waiting.get(key);
    if (queued) return queued;
    const outcome = limiter(() => {
      // Once it runs, a later event for the same blob (it changed again) gets a purge of its own.
      waiting.delete(key);
      return purgeBlob(parts, event, log);
    });
    waiting.set(key, outcome);
    return outcome;
  };
}
