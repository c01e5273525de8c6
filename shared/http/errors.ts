import type { HttpResponseInit } from '@azure/functions';
import { DELIVERY_CORS } from './headers';

/**
 * The codes a client sees in `ik-error`, ImageKit's where it names them (ENOENT, EACCES, ELIMIT, ...). The ones
 * ImageKit does not name: EBADPARAM (malformed or unknown transformation parameter), EUNSUPPORTED (known to
 * ImageKit, not implemented here, or an input that cannot be transformed), EBUSY and ETIMEOUT (this server is
 * at capacity or a transformation ran out of time) and EUNAVAILABLE (the app's own storage). The management API
 * answers JSON `{ message }` with the status and adds EMETHOD, ECONFLICT, ELENGTH, EPRECONDITION and ETOOLARGE for
 * its own HTTP statuses. Each code has one helper below.
 */
export type ErrorCode =
  | 'EBADPARAM'
  | 'EUNSUPPORTED'
  | 'ELIMIT'
  | 'EUNAUTHORIZED'
  | 'ENOENT'
  | 'EACCES'
  | 'ECONNREFUSED'
  | 'ETIMEDOUT'
  | 'UNIDENTIFIED'
  | 'EUNAVAILABLE'
  | 'EBUSY'
  | 'ETIMEOUT'
  | 'EMETHOD'
  | 'ECONFLICT'
  | 'ELENGTH'
  | 'EPRECONDITION'
  | 'ETOOLARGE';

interface ErrorOptions {
  /** Extra response headers, such as Retry-After on 503. */
  headers?: Record<string, string>;
  /** For the operator's log only. */
  detail?: string;
}

/**
 * An error a client is told about: status, `ik-error` code and a public message, apart from the private detail.
 *
 * The message is public: it says what kind of failure it was and what to do, never an account, container, host
 * or library message. Those go into `detail`, which the delivery handler logs with the request id and never sends.
 */
export class IkError extends Error {
  readonly headers: Record<string, string>;
  readonly detail?: string;
  /** Whether the operator's log gets it: failures with a private detail (origins, the image library) and 5xx; a plain 400 or 404 is the client's. */
  readonly report: boolean;

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    options: ErrorOptions = {},
  ) {
    super(message);
    this.name = 'IkError';
    this.headers = options.headers ?? {};
    this.detail = options.detail;
    this.report = options.detail !== undefined || status >= 500;
  }
}

/** Never stored by any cache: the condition passes, and a cached error would outlive it. */
const NO_STORE = { 'cache-control': 'no-store' };

export const badParam = (message: string) => new IkError(400, 'EBADPARAM', message);
export const unsupported = (message: string, detail?: string) => new IkError(400, 'EUNSUPPORTED', message, { detail });
export const overLimit = (message: string, detail?: string) => new IkError(400, 'ELIMIT', message, { detail });
export const unauthorized = (message: string) => new IkError(401, 'EUNAUTHORIZED', message);
export const notFound = (message: string, detail?: string) => new IkError(404, 'ENOENT', message, { detail });

// Origin failures are 404 as ImageKit answers (the asset cannot be delivered from that origin), except one that did
// not answer in time: 504, since a stalled origin is a passing condition.

/** The origin refused access, or may not be reached (a private address). */
export const originDenied = (message: string, detail: string) => new IkError(404, 'EACCES', message, { detail });
export const originRefused = (message: string, detail: string) => new IkError(404, 'ECONNREFUSED', message, { detail });
/** The origin's host name could not be resolved. */
export const originUnresolved = (message: string, detail: string) => new IkError(404, 'UNIDENTIFIED', message, { detail });
export const originTimedOut = (message: string, detail: string) => new IkError(504, 'ETIMEDOUT', message, { detail, headers: NO_STORE });

/** An error's first line, for a log line: SDK messages go on with request ids and times. */
export function firstLine(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

export const internalError = (requestId: string) => new IkError(500, 'UNIDENTIFIED', `Internal error, request id ${requestId}`);

// The management API's own statuses.
export const methodNotAllowed = (method: string) => new IkError(405, 'EMETHOD', `${method} is not allowed here`);
export const conflict = (message: string) => new IkError(409, 'ECONFLICT', message);
export const lengthRequired = (message: string) => new IkError(411, 'ELENGTH', message);
/** The object changed since the ETag in If-Match. */
export const preconditionFailed = (message: string) => new IkError(412, 'EPRECONDITION', message);
export const bodyTooLarge = (message: string) => new IkError(413, 'ETOOLARGE', message);

/** 503 with Retry-After: no transformation slot or memory free in time. */
export const busy = (message: string, retryAfterSeconds: number) => new IkError(503, 'EBUSY', message, { headers: { 'retry-after': String(retryAfterSeconds), ...NO_STORE } });

/** 503 with Retry-After: the transformation ran out of TRANSFORM_TIMEOUT_SECONDS; the next try may find the server less busy. */
export const transformTimedOut = (message: string, retryAfterSeconds: number) => new IkError(503, 'ETIMEOUT', message, { headers: { 'retry-after': String(retryAfterSeconds), ...NO_STORE } });

/**
 * The app's own storage failed or did not answer within its deadline: 503, never cached, so the client's next try
 * (after Retry-After) finds it back. The storage error itself is not repeated to the client.
 */
export function storageUnavailable(cause: unknown): IkError {
  const detail = firstLine(cause);
  return new IkError(503, 'EUNAVAILABLE', 'Storage is not reachable right now; try again shortly', { headers: { 'retry-after': '5', ...NO_STORE }, detail });
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
 * Plain-text delivery error with `ik-error` and short caching (ERROR_MAX_AGE_SECONDS), so a fixed asset is not negatively cached for long.
 * Only the public message is sent; the detail is for the log.
 */
export function deliveryErrorResponse(error: IkError, requestId: string, maxAgeSeconds: number): HttpResponseInit {
  const reason = reasons[error.status] ?? 'Error';
  return {
    status: error.status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': `public, max-age=${maxAgeSeconds}`,
      'ik-error': headerSafe(`${error.code} - ${error.message}`),
      'x-request-id': requestId,
      'x-content-type-options': 'nosniff',
      ...DELIVERY_CORS,
      ...error.headers,
    },
    body: error.status === 400 ? `${reason}: ${error.message}` : reason,
  };
}
