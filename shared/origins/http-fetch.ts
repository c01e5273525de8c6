import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { IkError, originDenied, originRefused, originTimedOut, originUnresolved } from '../http/errors';
import { resolvePublicAddress, type PinnedAddress } from '../security/ssrf';
import { fetchSignal, readCapped, tooLarge } from './body';
import type { FetchLimits, OriginObject } from './types';

/** As Next.js and ipx: enough for http->https and a CDN hop, too few for a loop to cost much. */
export const MAX_REDIRECTS = 3;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Scheme and host only, for the log: a web origin's path or query may carry tokens. Public messages name no host at all. */
function where(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

class ConnectTimeout extends Error {}

/** Connects to the pinned address whatever the socket asks for, so the name is never resolved again. */
function pinnedLookup(pinned: PinnedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
}

function request(url: URL, pinned: PinnedAddress, headers: Record<string, string>, limits: FetchLimits, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, { method: 'GET', headers, lookup: pinnedLookup(pinned), signal }, resolve);
    req.on('error', reject);
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => req.destroy(new ConnectTimeout()), limits.connectTimeoutMs);
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
    req.end();
  });
}

function mapFailure(error: unknown, url: URL, limits: FetchLimits, signal: AbortSignal): IkError {
  if (error instanceof IkError) return error;
  const host = where(url);
  if (signal.aborted) return originTimedOut(`The web origin did not deliver the file within ${limits.timeoutMs} ms`, `${host} did not deliver within ${limits.timeoutMs} ms`);
  if (error instanceof ConnectTimeout) {
    return originTimedOut(`Could not connect to the web origin within ${limits.connectTimeoutMs} ms`, `No connection to ${host} within ${limits.connectTimeoutMs} ms`);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return originRefused('The web origin refused the connection', `${host} refused the connection`);
  if (code === 'ETIMEDOUT') return originTimedOut('The connection to the web origin timed out', `The connection to ${host} timed out`);
  const cause = code ?? (error instanceof Error ? error.message : String(error));
  return originUnresolved(`Fetching from the web origin failed${code ? ` (${code})` : ''}`, `Fetching from ${host} failed: ${cause}`);
}

/** Waits for `promise` but gives up when the fetch's deadline passes (DNS lookups cannot be cancelled). */
function beforeDeadline<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function readBody(response: http.IncomingMessage, url: URL, limits: FetchLimits): Promise<OriginObject> {
  const declared = response.headers['content-length'] === undefined ? undefined : Number(response.headers['content-length']);
  if (declared !== undefined && declared > limits.maxBytes) throw tooLarge(limits.maxBytes, declared);
  const body = await readCapped(response, limits.maxBytes, declared, limits.reserve);
  // A body shorter than declared is a cut-off file; decoding it would give a half-grey image.
  if (declared !== undefined && body.length !== declared) {
    const short = `sent ${body.length} of the ${declared} bytes it announced`;
    throw originUnresolved(`The web origin ${short}`, `${where(url)} ${short}`);
  }
  const lastModified = response.headers['last-modified'] ? new Date(response.headers['last-modified']) : undefined;
  return {
    body,
    contentType: response.headers['content-type'],
    lastModified: lastModified && !Number.isNaN(lastModified.getTime()) ? lastModified : undefined,
    etag: response.headers.etag,
  };
}

function statusFailure(status: number, url: URL): IkError {
  const detail = `${where(url)} answered ${status}`;
  if (status === 401 || status === 403) {
    return originDenied(`The web origin refused access (${status}): allow this server to read the files (firewall, authentication, hotlink protection)`, detail);
  }
  return originUnresolved(`The web origin answered ${status}`, detail);
}

function redirectTarget(location: string, from: URL): URL {
  try {
    return new URL(location, from);
  } catch {
    throw originUnresolved('The web origin redirected to an invalid URL', `${where(from)} redirected to an invalid URL`);
  }
}

export interface HttpFetchOptions {
  limits: FetchLimits;
  /** Host header for requests to the first URL's scheme, host and port; redirects elsewhere send their own. */
  hostHeader?: string;
}

/**
 * GET of an original from a web server, safe against the network it runs in: only http and https, every
 * host (the first and each redirect's, at most MAX_REDIRECTS) resolved and checked by the SSRF guard before
 * connecting, the connection pinned to the checked address, bytes capped while downloading, a connect
 * timeout per connection and one deadline for everything. Resolves undefined on 404 and 410.
 */
export async function httpFetch(url: URL, options: HttpFetchOptions): Promise<OriginObject | undefined> {
  const { limits } = options;
  const signal = fetchSignal(limits);
  let current = url;
  for (let redirects = 0; ; redirects++) {
    if (current.protocol !== 'http:' && current.protocol !== 'https:') {
      throw originDenied(`The web origin redirected to a ${current.protocol} URL; only http and https are fetched`, `${where(url)} redirected to a ${current.protocol} URL`);
    }
    const headers: Record<string, string> = { 'x-req-from': 'imagekit', 'user-agent': 'imagekit-azure-cdn', accept: '*/*' };
    if (options.hostHeader && current.origin === url.origin) headers.host = options.hostHeader;
    let response: http.IncomingMessage;
    try {
      const pinned = await beforeDeadline(resolvePublicAddress(current.hostname, limits.allowPrivateAddresses), signal);
      response = await request(current, pinned, headers, limits, signal);
    } catch (error) {
      throw mapFailure(error, current, limits, signal);
    }
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status === 200) {
      try {
        return await readBody(response, current, limits);
      } catch (error) {
        response.destroy();
        throw mapFailure(error, current, limits, signal);
      }
    }
    response.destroy();
    if (status === 404 || status === 410) return undefined;
    if (!REDIRECTS.has(status) || !location) throw statusFailure(status, current);
    if (redirects >= MAX_REDIRECTS) {
      throw originUnresolved(`The web origin redirected more than ${MAX_REDIRECTS} times`, `${where(url)} redirected more than ${MAX_REDIRECTS} times`);
    }
    current = redirectTarget(location, current);
  }
}
