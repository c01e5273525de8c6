import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { deliveryConfig } from '../config/snapshot';
import { deliveryErrorResponse, IkError, unsupported } from '../http/errors';
import { etagMatches, strongEtag, SVG_CSP } from '../http/headers';
import type { OriginObject } from '../origins/types';
import { settings } from '../settings';
import { render } from '../transform/render';
import { fetchOriginal } from './fetch-original';
import { parseDeliveryUrl, type DeliveryRequest } from './request';

interface Output {
  body: Buffer;
  contentType: string;
  negotiated: boolean;
  extraHeaders?: Record<string, string>;
}

function asIs(original: OriginObject): Output {
  return { body: original.body, contentType: original.contentType ?? 'application/octet-stream', negotiated: false };
}

async function produce(original: OriginObject, request: DeliveryRequest, accept: string): Promise<Output> {
  if (request.steps.some((step) => step.orig)) return asIs(original);
  const s = settings();
  const result = await render(original.body, request.steps, {
    accept,
    autoAvif: s.AUTO_AVIF,
    defaultQuality: s.DEFAULT_QUALITY,
    maxInputPixels: s.MAX_INPUT_PIXELS,
  });
  if (result === 'svg') {
    return { body: original.body, contentType: 'image/svg+xml', negotiated: false, extraHeaders: { 'content-security-policy': SVG_CSP } };
  }
  if (result === 'not-an-image') {
    // Files that are not images are delivered untouched, as ImageKit does; transforming them is an error.
    if (request.steps.length === 0) return asIs(original);
    throw unsupported(`"${request.assetPath}" is not an image this server can transform`);
  }
  return result;
}

async function handle(request: HttpRequest, requestId: string): Promise<HttpResponseInit> {
  const config = await deliveryConfig();
  const parsed = parseDeliveryUrl(new URL(request.url), config);
  if (!parsed || parsed.assetPath === '') throw new IkError(404, 'ENOENT', 'No asset path in the URL');
  const original = await fetchOriginal(config, parsed.endpoint, parsed.assetPath);
  const output = await produce(original, parsed, request.headers.get('accept') ?? '');

  const maxAge = settings().CACHE_MAX_AGE_SECONDS;
  const etag = strongEtag(output.body);
  const headers: Record<string, string> = {
    'cache-control': `public, max-age=${maxAge}, s-maxage=${maxAge}`,
    etag,
    'x-request-id': requestId,
    'x-content-type-options': 'nosniff',
    ...output.extraHeaders,
  };
  if (output.negotiated) headers.vary = 'Accept';
  if (original.lastModified) headers['last-modified'] = original.lastModified.toUTCString();

  if (etagMatches(request.headers.get('if-none-match'), etag)) return { status: 304, headers };
  headers['content-type'] = output.contentType;
  headers['content-length'] = String(output.body.length);
  return { status: 200, headers, body: request.method === 'HEAD' ? undefined : output.body };
}

/** GET and HEAD of a delivery URL: resolve endpoint, fetch the original, transform, respond. */
export async function deliver(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const requestId = randomUUID();
  try {
    return await handle(request, requestId);
  } catch (error) {
    if (error instanceof IkError) {
      const response = deliveryErrorResponse(error, requestId);
      return request.method === 'HEAD' ? { ...response, body: undefined } : response;
    }
    context.error(`delivery ${requestId} failed: ${error instanceof Error ? error.message : String(error)}`);
    return deliveryErrorResponse(new IkError(500, 'UNIDENTIFIED', `Internal error, request id ${requestId}`), requestId);
  }
}
