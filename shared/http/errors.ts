import type { HttpResponseInit } from '@azure/functions';
import { settings } from '../settings';

/**
 * An error a client is told about: status, `ik-error` code and a message.
 * Codes follow ImageKit's (ENOENT, EACCES, ELIMIT, ...); the ones ImageKit does not name are
 * EBADPARAM (malformed or unknown transformation parameter) and EUNSUPPORTED (known to ImageKit,
 * not implemented here, or an input that cannot be transformed).
 */
export class IkError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers, such as Retry-After on 503. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'IkError';
  }
}

export const badParam = (message: string) => new IkError(400, 'EBADPARAM', message);
export const unsupported = (message: string) => new IkError(400, 'EUNSUPPORTED', message);

/**
 * An origin that did not answer in time: 504, not ImageKit's 404, and never cached, since a stalled origin is a
 * passing condition and a cached 404 would outlive it.
 */
export const originTimeout = (message: string) => new IkError(504, 'ETIMEDOUT', message, { 'cache-control': 'no-store' });

/**
 * The app's own storage failed or did not answer within its deadline: 503, never cached, so the client's next try
 * (after Retry-After) finds it back. The storage error itself is not repeated to the client.
 */
export function storageUnavailable(what: string, _cause?: unknown): IkError {
  return new IkError(503, 'EUNAVAILABLE', `${what} is not reachable right now; try again shortly`, { 'retry-after': '5', 'cache-control': 'no-store' });
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  504: 'Gateway Timeout',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Header values must be one line of printable ASCII. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/** Plain-text delivery error with `ik-error` and short caching, so a fixed asset is not negatively cached for long. */
export function deliveryErrorResponse(error: IkError, requestId: string): HttpResponseInit {
  const reason = reasons[error.status] ?? 'Error';
  return {
    status: error.status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': `public, max-age=${settings().ERROR_MAX_AGE_SECONDS}`,
      'ik-error': headerSafe(`${error.code} - ${error.message}`),
      'x-request-id': requestId,
      'x-content-type-options': 'nosniff',
      ...error.headers,
    },
    body: error.status === 400 ? `${reason}: ${error.message}` : reason,
  };
}
