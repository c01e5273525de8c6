import type { DeliveryConfig, EndpointView } from '../config/snapshot';
import { keepOriginal, originalKey, readOriginal } from '../cache/originals';
import { purgedSince, purgeGeneration } from '../cache/purge-generation';
import { notFound } from '../http/errors';
import { originFor } from '../origins';
import type { FetchLimits, OriginObject, OriginRequest } from '../origins/types';
import { checkSafePath } from '../security/paths';
import type { DownloadMemory } from '../security/transform-limiter';
import { settings } from '../settings';
import { proxiedUrl, unsignedProxyRefused } from '../origins/web-proxy';
import { lastValue } from '../transform/grammar/query';
import { originPath } from '../transform/tokens';
import { layerFiles } from './layers';
import type { DeliveryRequest } from './request';

export interface FetchOriginalOptions {
  /** The delivery URL carried a valid signature (`DeliveryAccess.signed`): WEB_PROXY origins need one unless the endpoint allows unsigned. */
  signed: boolean;
  /** The host the client asked for, for WEB_FOLDER origins that forward the Host header. */
  requestHost?: string;
  /** The `di-` value as written in the URL: the default image's path with `@@` standing for `/`. */
  defaultImage?: string;
  /** The request's share of DOWNLOAD_BUDGET_MB, which holds the bodies it downloads. */
  memory?: DownloadMemory;
}

/** An original, and when the asset was missing everywhere, which default image stands in for it. */
export interface Original extends OriginObject {
  defaultImagePath?: string;
}

export function fetchLimits(): FetchLimits {
  const s = settings();
  return {
    maxBytes: s.MAX_INPUT_BYTES,
    connectTimeoutMs: s.ORIGIN_CONNECT_TIMEOUT_MS,
    timeoutMs: s.ORIGIN_TIMEOUT_MS,
    allowPrivateAddresses: s.ALLOW_PRIVATE_ORIGIN_ADDRESSES,
  };
}

/**
 * WEB_PROXY's signed-only rule, decided from the URL alone so it holds before any cache is read: an unsigned URL
 * whose asset, default image or image layer names an absolute URL is refused on an endpoint with a WEB_PROXY
 * origin, unless the endpoint allows unsigned proxying. A cached rendition must not serve what a fetch would refuse.
 */
export function checkProxyAccess(config: DeliveryConfig, request: DeliveryRequest, signed: boolean): void {
  const { endpoint } = request;
  if (signed || endpoint.allowUnsignedWebProxy === true) return;
  if (!endpoint.origins.some((id) => config.origins.get(id)?.type === 'WEB_PROXY')) return;
  const di = lastValue(request.steps, 'di');
  const paths = [request.assetPath, ...(di === undefined ? [] : [originPath(di)]), ...layerFiles(request.steps)];
  if (paths.some((path) => proxiedUrl(path) !== undefined)) throw unsignedProxyRefused();
}

/** The first origin, in the endpoint's order, that has the asset; a failure other than not-found stops the search and is reported. */
async function firstFound(config: DeliveryConfig, endpoint: EndpointView, assetPath: string, request: OriginRequest): Promise<OriginObject | undefined> {
  for (const id of endpoint.origins) {
    const originConfig = config.origins.get(id);
    if (!originConfig) continue;
    const found = await originFor(originConfig).fetch(assetPath, request);
    if (found) return found;
  }
  return undefined;
}

/** `firstFound` through the originals cache, for endpoints that turn it on with `originalsCacheSeconds`. */
async function cachedFirstFound(config: DeliveryConfig, endpoint: EndpointView, assetPath: string, request: OriginRequest): Promise<OriginObject | undefined> {
  const seconds = endpoint.originalsCacheSeconds ?? 0;
  if (seconds <= 0) return firstFound(config, endpoint, assetPath, request);
  const key = originalKey(endpoint.id, assetPath, `${request.proxyAllowed}\n${request.requestHost ?? ''}`);
  const kept = readOriginal(key);
  if (kept) return kept;
  const since = purgeGeneration();
  const found = await firstFound(config, endpoint, assetPath, request);
  if (found && !purgedSince(key, since)) keepOriginal(key, found, seconds);
  return found;
}

/**
 * The original of an asset from the endpoint's origins, tried in order (ImageKit's origin preference); when none
 * has it, the `di-` default image from the same origins; else 404 ENOENT.
 */
export async function fetchOriginal(config: DeliveryConfig, endpoint: EndpointView, assetPath: string, options: FetchOriginalOptions = { signed: false }): Promise<Original> {
  // Asset, layer and default-image paths all come through here: the parser checked them, and this holds regardless.
  checkSafePath(assetPath, 'the asset');
  if (!endpoint.origins.some((id) => config.origins.has(id))) {
    throw notFound('The URL endpoint has no origins configured: add one with the management API', `URL endpoint "${endpoint.id}" has no origins configured`);
  }
  const request: OriginRequest = {
    limits: { ...fetchLimits(), reserve: options.memory?.reserve },
    proxyAllowed: options.signed || endpoint.allowUnsignedWebProxy === true,
    requestHost: options.requestHost,
  };
  const found = await cachedFirstFound(config, endpoint, assetPath, request);
  if (found) return found;
  // The asset path is the client's own; which endpoint served it is not theirs to know. A plain miss has no detail: it is not logged.
  const missing = `No file was found at "${assetPath}" in the URL endpoint's origins`;
  if (options.defaultImage === undefined) throw notFound(missing);
  const defaultImagePath = originPath(options.defaultImage);
  checkSafePath(defaultImagePath, 'parameter "di"');
  const fallback = defaultImagePath === '' ? undefined : await firstFound(config, endpoint, defaultImagePath, request);
  if (!fallback) throw notFound(`${missing}, nor the default image "${defaultImagePath}"`);
  return { ...fallback, defaultImagePath };
}
