import type { HttpHandler, HttpRequest, HttpResponseInit } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import type { StoredRendition, StreamedRendition } from '../cache/renditions';
import type { ConfigSnapshot, DeliveryConfig } from '../config/snapshot';
import { deliveryErrorResponse, IkError, internalError, storageUnavailable, unsupported } from '../http/errors';
import { attachmentDisposition, DELIVERY_CORS, etagMatches, IMAGE_TYPES, preflight, strongEtag, SVG_CSP } from '../http/headers';
import type { OriginObject } from '../origins/types';
import { authorizeDelivery, type AccessPolicy } from '../security/access';
import { sameRequest } from '../security/signature';
import { secureOutput } from '../security/svg';
import type { TransformLimiter } from '../security/transform-limiter';
import { isStorageOutage } from '../storage';
import { applyClientHints, readClientHints, usesClientHints } from '../transform/client-hints';
import { acceptedModernFormat } from '../transform/format';
import { canonicalTransformation } from '../transform/grammar/print';
import type { Renderer } from '../transform/render';
import { coalesce } from '../cache/coalesce';
import { purgeGeneration } from '../cache/purge-generation';
import { readEdgeHint, type EdgeHint } from './edge-hint';
import { checkProxyAccess, fetchOriginal, type FetchOriginalOptions, type Original, type OriginFetcher } from './fetch-original';
import { downloadLayers, storeRendition, type RenditionStore } from './layers';
import { asIs, needsPixels } from './passthrough';
import { deliveryCounters, ServerTiming } from './metrics';
import type { DeliveryRequest } from './request';
import { resolveUrl } from './resolve';

/** App Service's front end: the request target before the platform decoded and re-encoded it. */
const UNENCODED_URL_HEADER = 'x-waws-unencoded-url';

type Output = Omit<StoredRendition, 'etag' | 'lastModified'>;

/** What delivery is built from: the parts the app makes once from its settings (shared/app). */
export interface DeliveryParts extends RenditionStore {
  config: ConfigSnapshot;
  access: AccessPolicy;
  /** render() with the render limits, the transformation admission and the job's deadline. */
  renderer: Renderer;
  limiter: TransformLimiter;
  origins: OriginFetcher;
  maxSvgBytes: number;
  cacheMaxAgeSeconds: number;
  errorMaxAgeSeconds: number;
}

async function produce(parts: DeliveryParts, original: OriginObject, request: DeliveryRequest, accept: string, loadLayer: (path: string) => Promise<Buffer>, timing: ServerTiming): Promise<Output> {
  if (!needsPixels(request.steps)) return asIs(original);
  deliveryCounters.transforms++;
  const result = await parts.renderer.render(original.body, request.steps, {
    accept,
    loadLayer,
    // `decode` appears in Server-Timing only when this request decoded; a reused decode leaves it out.
    onDecode: (decode) => {
      deliveryCounters.decodes++;
      return timing.measure('decode', decode);
    },
  });
  if (result.kind === 'svg') {
    return { body: original.body, contentType: IMAGE_TYPES.svg.contentType, negotiated: false, extraHeaders: { 'content-security-policy': SVG_CSP } };
  }
  if (result.kind === 'not-an-image') {
    // Files that are not images are delivered untouched only when no step needs pixels (asIs); transforming them is an error.
    throw unsupported(`"${request.assetPath}" is not an image this server can transform`);
  }
  return result.image;
}

interface Served {
  rendition: StoredRendition | StreamedRendition;
  hit: boolean;
  /** A `di-` default image stood in for a missing asset: served briefly and not stored, so the asset shows once it exists. */
  standIn?: boolean;
}

/**
 * The stored rendition, or a new one fetched, transformed and stored. Concurrent identical requests share one
 * call, and keep sharing it until the new rendition is stored, so none of them transforms again.
 */
async function serve(parts: DeliveryParts, request: DeliveryRequest, config: DeliveryConfig, accept: string, name: string, timing: ServerTiming, log: (m: string) => void, fetchOptions: FetchOriginalOptions): Promise<Served> {
  // Requests after a purge do not join work that started before it: that work read the old original.
  const since = purgeGeneration();
  const { value, joined } = await coalesce<Served>(`${name}\n${since}`, async () => {
    // A name this instance knows to be absent skips the lookup; one in memory or known stored is looked up alone.
    // One it knows nothing of has its original fetched while storage is asked for the rendition, abandoned when
    // there is one: a miss costs the longer of the two round trips, not both. Access was decided before either started.
    const remembered = parts.renditions.remembered(name);
    let lookup = remembered === 'absent' ? undefined : timing.measure('cache', () => parts.renditions.read(name, log));
    if (lookup && remembered !== undefined) {
      const cached = await lookup;
      if (cached) return { value: { rendition: cached, hit: true } };
      lookup = undefined;
    }
    // The lookup takes no transform slot: a miss answers 404 at once, and a slow origin holds up only its own request.
    // What it downloads is held in DOWNLOAD_BUDGET_MB until the rendition is made.
    const memory = parts.limiter.downloadMemory();
    const abandon = new AbortController();
    const downloads = { ...fetchOptions, memory, abandon: abandon.signal };
    const fetching = () => {
      deliveryCounters.originFetches++;
      return timing.measure('fetch', () => fetchOriginal(parts.origins, config, request.endpoint, request.assetPath, downloads));
    };
    let original: Original;
    let output: Output;
    try {
      const early = fetching();
      if (lookup) {
        early.catch(() => undefined);
        const cached = await lookup;
        if (cached) {
          abandon.abort();
          return { value: { rendition: cached, hit: true } };
        }
      }
      original = await early;
      // Layer images come from the same endpoint's origins; a missing one is 404 ENOENT naming it, like a missing asset.
      const loadLayer = await downloadLayers(request.steps, async (path) => (await fetchOriginal(parts.origins, config, request.endpoint, path, { ...downloads, defaultImage: undefined })).body);
      output = await timing.measure('transform', () => produce(parts, original, request, accept, loadLayer, timing).then((made) => secureOutput(made, parts.maxSvgBytes)));
    } finally {
      memory.release();
    }
    const rendition: StoredRendition = { ...output, etag: strongEtag(output.body), lastModified: original.lastModified?.toUTCString() };
    if (original.defaultImagePath !== undefined) return { value: { rendition, hit: false, standIn: true } };
    return { value: { rendition, hit: false }, holdUntil: storeRendition(parts, request, name, rendition, log, since) };
  });
  // A request that joined another's work did not transform: for it, the rendition was already there.
  return { ...value, hit: value.hit || joined };
}

function notModified(request: HttpRequest, rendition: StoredRendition | StreamedRendition): boolean {
  const ifNoneMatch = request.headers.get('if-none-match');
  if (ifNoneMatch) return etagMatches(ifNoneMatch, rendition.etag);
  const since = Date.parse(request.headers.get('if-modified-since') ?? '');
  const modified = Date.parse(rendition.lastModified ?? '');
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
}

/**
 * The request URL to read, without Front Door's format hint. The Functions host decodes the path and encodes it
 * again before the app sees it; App Service also passes the target as the client sent it, and where that is the
 * same request it is read instead, so signatures and doubly encoded values (layer URLs) see the client's spelling.
 */
function clientTarget(request: HttpRequest): EdgeHint {
  const received = readEdgeHint(request.url);
  const unencoded = request.headers.get(UNENCODED_URL_HEADER);
  if (!unencoded?.startsWith('/')) return received;
  const sent = readEdgeHint(`${new URL(request.url).origin}${unencoded}`);
  return sameRequest(sent.url, received.url) ? sent : received;
}

async function handle(parts: DeliveryParts, request: HttpRequest, requestId: string, log: (m: string) => void): Promise<HttpResponseInit> {
  const timing = new ServerTiming();
  const config = await parts.config.current();
  const hint = clientTarget(request);
  const resolved = resolveUrl(hint.url, config);
  const { url, request: parsed } = resolved;
  // Access is decided here, on every request, before any cache is read.
  const access = authorizeDelivery(hint.url, parsed, parts.access);
  checkProxyAccess(config, parsed, access.signed);
  const accept = hint.accept ?? request.headers.get('accept') ?? '';
  // An original served as it is does not depend on Accept.
  const variant = resolved.explicitFormat || !needsPixels(parsed.steps) ? '' : (acceptedModernFormat(accept, parts.renderer.options.autoAvif) ?? 'basic');
  const hints = usesClientHints(parsed.steps) ? applyClientHints(parsed.steps, readClientHints(request.headers)) : undefined;
  const name = hints ? resolved.renditionName(variant, canonicalTransformation(hints.steps)) : resolved.renditionName(variant);
  // Purges made through other instances are applied before any cache is read (at most PURGE_SYNC_SECONDS old).
  await parts.purgeLog.sync(log);

  // Front Door sends the client's host in X-Forwarded-Host (docs/azure-reference.md, "Only Front Door reaches the app"); WEB_FOLDER origins may forward it.
  const { rendition, hit, standIn } = await serve(parts, hints ? { ...parsed, steps: hints.steps } : parsed, config, accept, name, timing, log, {
    signed: access.signed,
    requestHost: request.headers.get('x-forwarded-host') ?? url.host,
    defaultImage: resolved.defaultImage,
  });

  const maxAge = Math.min(standIn ? parts.errorMaxAgeSeconds : parts.cacheMaxAgeSeconds, access.maxAgeSeconds ?? Infinity);
  const headers: Record<string, string> = {
    'cache-control': `public, max-age=${maxAge}, s-maxage=${maxAge}`,
    etag: rendition.etag,
    'x-request-id': requestId,
    'x-content-type-options': 'nosniff',
    'x-rendition-cache': hit ? 'HIT' : 'MISS',
    'server-timing': timing.header(),
    ...DELIVERY_CORS,
    ...rendition.extraHeaders,
  };
  const vary = [...(rendition.negotiated ? ['Accept'] : []), ...(hints?.vary ?? [])];
  if (vary.length > 0) headers.vary = vary.join(', ');
  if (hints) headers['accept-ch'] = 'Sec-CH-Width, Sec-CH-DPR';
  if (hints?.contentDpr !== undefined) headers['content-dpr'] = String(hints.contentDpr);
  if (rendition.lastModified) headers['last-modified'] = rendition.lastModified;
  const attachment = attachmentDisposition(url.searchParams, parsed.assetPath, rendition.contentType);
  if (attachment) headers['content-disposition'] = attachment;

  const streamed = 'body' in rendition ? undefined : rendition;
  if (notModified(request, rendition)) {
    streamed?.dropBody();
    return { status: 304, headers };
  }
  headers['content-type'] = rendition.contentType;
  headers['content-length'] = String(streamed ? streamed.length : (rendition as StoredRendition).body.length);
  if (request.method === 'HEAD') {
    streamed?.dropBody();
    return { status: 200, headers };
  }
  return { status: 200, headers, body: streamed ? await streamed.takeBody() : (rendition as StoredRendition).body };
}

/** GET and HEAD of a delivery URL: resolve endpoint, fetch the original, transform, respond; OPTIONS is the CORS preflight. */
export const createDeliveryHandler = (parts: DeliveryParts): HttpHandler => async (request, context) => {
  if (request.method === 'OPTIONS') return preflight(new URL(request.url).pathname);
  const requestId = randomUUID();
  try {
    return await parts.limiter.forRequest(() => handle(parts, request, requestId, (message) => context.warn(`delivery ${requestId}: ${message}`)));
  } catch (caught) {
    const error = isStorageOutage(caught) ? storageUnavailable(caught) : caught;
    if (error instanceof IkError) {
      // Origin and image-library failures (those with a detail) and 5xx are the operator's to see; a plain 404 or 400 is the client's.
      if (error.report) context.warn(`delivery ${requestId} failed: ${error.code} ${error.detail ?? error.message}`);
      const response = deliveryErrorResponse(error, requestId, parts.errorMaxAgeSeconds);
      return request.method === 'HEAD' ? { ...response, body: undefined } : response;
    }
    context.error(`delivery ${requestId} failed: ${error instanceof Error ? error.stack : String(error)}`);
    return deliveryErrorResponse(internalError(requestId), requestId, parts.errorMaxAgeSeconds);
  }
};
