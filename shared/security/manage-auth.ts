import type { HttpRequest } from '@azure/functions';
import { createHash, timingSafeEqual } from 'node:crypto';
import { settings } from '../settings';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * HTTP Basic with the private API key as user name and any password, as ImageKit's API does.
 * Returns the reason for refusing, or undefined when the caller is authenticated.
 */
export function authenticate(request: HttpRequest): string | undefined {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Basic\s+(\S+)$/i.exec(header);
  if (!match) return 'Your request does not contain private API key credentials (HTTP Basic, private key as user name)';
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  // Compare fixed-length digests so the time taken says nothing about the key.
  if (!timingSafeEqual(digest(user), digest(settings().PRIVATE_API_KEY))) {
    return 'Your request contains invalid private API key credentials';
  }
  return undefined;
}
