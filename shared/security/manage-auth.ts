import type { HttpRequest } from '@azure/functions';
import { LRUCache } from 'lru-cache';
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Failures allowed from one address before it must wait; each further failure doubles the wait, up to the cap. */
const FREE_FAILURES = 5;
const MAX_WAIT_SECONDS = 15 * 60;

interface Failures {
  failures: number;
  blockedUntil: number;
}

/** Per client address; bounded so a spray of addresses cannot grow memory, and forgotten after an hour. */
type FailureLog = LRUCache<string, Failures>;

export interface AuthRefusal {
  status: 401 | 429;
  message: string;
  headers: Record<string, string>;
}

/**
 * The caller's address: the last `x-forwarded-for` entry, the one the nearest proxy (the Functions front end,
 * or the local host from its socket) added, since earlier entries are whatever the client chose to send.
 */
export function clientAddress(request: HttpRequest): string {
  const last = (request.headers.get('x-forwarded-for') ?? '').split(',').pop()?.trim() ?? '';
  const bracketed = /^\[([^\]]+)\]/.exec(last);
  if (bracketed) return bracketed[1];
  // IPv4 with a port (`1.2.3.4:5678`) has one colon; a bare IPv6 address has several.
  return last.split(':').length === 2 ? last.split(':')[0] : last || 'unknown';
}

const challenge = (message: string): AuthRefusal => ({ status: 401, message, headers: { 'www-authenticate': 'Basic realm="imagekit"' } });

/** A wrong key: counted against the address. */
function refuse(failures: FailureLog, address: string, message: string): AuthRefusal {
  const now = Date.now();
  const record = failures.get(address) ?? { failures: 0, blockedUntil: 0 };
  record.failures++;
  if (record.failures >= FREE_FAILURES) {
    record.blockedUntil = now + Math.min(2 ** (record.failures - FREE_FAILURES), MAX_WAIT_SECONDS) * 1000;
  }
  failures.set(address, record);
  return challenge(message);
}

/** Why a management request is refused, or undefined when it is authenticated. */
export type Authenticator = (request: HttpRequest) => AuthRefusal | undefined;

/**
 * HTTP Basic with the private API key as user name and any password, as ImageKit's API does. Returns why the
 * caller is refused, or undefined when it is authenticated. After repeated failures from one address, that
 * address gets 429 with Retry-After, without its credentials being checked, until its wait is over.
 */
export function createAuthenticator(privateKey: string): Authenticator {
  const failures: FailureLog = new LRUCache({ max: 10_000, ttl: 60 * 60 * 1000 });
  const key = digest(privateKey);
  return (request) => {
    const address = clientAddress(request);
    const waitMs = (failures.get(address)?.blockedUntil ?? 0) - Date.now();
    if (waitMs > 0) {
      const retryAfter = String(Math.ceil(waitMs / 1000));
      return { status: 429, message: `Too many failed authentication attempts; retry after ${retryAfter} s`, headers: { 'retry-after': retryAfter } };
    }
    const header = request.headers.get('authorization') ?? '';
    const match = /^Basic\s+(\S+)$/i.exec(header);
    // No credentials at all is not a guess, so it does not count towards the back-off.
    if (!match) return challenge('Your request does not contain private API key credentials (HTTP Basic, private key as user name)');
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon === -1 ? decoded : decoded.slice(0, colon);
    // Compare fixed-length digests so the time taken says nothing about the key.
    if (!timingSafeEqual(digest(user), key)) {
      return refuse(failures, address, 'Your request contains invalid private API key credentials');
    }
    failures.delete(address);
    return undefined;
  };
}
