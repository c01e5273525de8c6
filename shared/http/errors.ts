import type { HttpResponseInit } from '@azure/functions';
import { settings } from '../settings';
import { DELIVERY_CORS } from './headers';

/**
 * An error a client is told about: status, `ik-error` code and a public message.
 * Codes follow ImageKit's (ENOENT, EACCES, ELIMIT, ...); the ones ImageKit does not name are
 * EBADPARAM (malformed or unknown transformation parameter) and EUNSUPPORTED (known to ImageKit,
 * not implemented here, or an input that cannot be transformed).
 *
 * The message is public: it says what kind of failure it was and what to do, never an account, container, host
 * or library message. Those go into `detail`, which the delivery handler logs with the request id and never sends.
 */
export class IkError extends Error {
  /** Extra response headers, such as Retry-After on 503. */
  readonly headers: Record<string, string>;
  /** For the operator's log only. */
  readonly detail?: string;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: { headers?: Record<string, string>; detail?: string } = {},
  ) {
    super(message);
    this.name = 'IkError';
    this.headers = options.headers ?? {};
    this.detail = options.detail;
  }
}

export const badParam = (message: string) => new IkError(400, 'EBADPARAM', message);
export const unsupported = (message: string, detail?: string) => new IkError(400, 'EUNSUPPORTED', message, { detail });
export const overLimit = (message: string, detail?: string) => new IkError(400, 'ELIMIT', message, { detail });
export const unauthorized = (message: string) => new IkError(401, 'EUNAUTHORIZED', message);
export const notFound = (message: string, detail?: string) => new IkError(404, 'ENOENT', message, { detail });

/** How an origin failed. ImageKit answers 404 for these too: the asset cannot be delivered from that origin. */
export type OriginFailureCode = 'EACCES' | 'ECONNREFUSED' | 'ETIMEDOUT' | 'UNIDENTIFIED';

/**
 * An origin failure: 404 as ImageKit answers, except an origin that did not answer in time, which is 504 and never
 * cached, since a stalled origin is a passing condition and a cached 404 would outlive it.
 */
export function originFailure(code: OriginFailureCode, message: string, detail: string): IkError {
  if (code === 'ETIMEDOUT') return new IkError(504, code, message, { detail, headers: { 'cache-control': 'no-store' } });
  return new IkError(404, code, message, { detail });
}

/** An error's first line, for a log line: SDK messages go on with request ids and times. */
export function firstLine(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

export const internalError = (requestId: string) => new IkError(500, 'UNIDENTIFIED', `Internal error, request id ${requestId}`);

/**
 * The app's own storage failed or did not answer within its deadline: 503, never cached, so the client's next try
 * (after Retry-After) finds it back. The storage error itself is not repeated to the client.
 */
export function storageUnavailable(cause: unknown): IkError {
  const detail = firstLine(cause);
  return new IkError(503, 'EUNAVAILABLE', 'Storage is not reachable right now; try again shortly', { headers: { 'retry-after': '5', 'cache-control': 'no-store' }, detail });
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

/**
 * Plain-text delivery error with `ik-error` and short caching, so a fixed asset is not negatively cached for long.
 * Only the public message is sent; the detail is for the log.
 */
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
      ...DELIVERY_CORS,
      ...error.headers,
    },
    body: error.status === 400 ? `${reason}: ${error.message}` : reason,
  };
}
