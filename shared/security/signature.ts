import { createHmac, timingSafeEqual } from 'node:crypto';
import { IkError } from '../http/errors';

/** ImageKit's expiry for URLs that never expire; `ik-t` is left out of such URLs. */
const NEVER = '9999999999';

export type SignatureResult = 'unsigned' | 'valid';

function unauthorized(message: string): IkError {
  return new IkError(401, 'EUNAUTHORIZED', message);
}

/** What ImageKit signs: the raw path and query after the URL endpoint, without `ik-s` and `ik-t`, in their original order. */
function signedPart(rawUrl: string, urlPrefix: string): { text: string; signature?: string; expiry?: string } {
  const target = rawUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/#.*$/, '');
  const queryStart = target.indexOf('?');
  const path = queryStart === -1 ? target : target.slice(0, queryStart);
  const query = queryStart === -1 ? [] : target.slice(queryStart + 1).split('&');
  let signature: string | undefined;
  let expiry: string | undefined;
  const kept = query.filter((pair) => {
    const [name, value = ''] = pair.split('=');
    if (name === 'ik-s') signature = value;
    else if (name === 'ik-t') expiry = value;
    else return pair !== '';
    return false;
  });
  const endpointPath = urlPrefix === '' ? '/' : `/${urlPrefix}/`;
  const rest = path.startsWith(endpointPath) ? path.slice(endpointPath.length) : path.replace(/^\//, '');
  return { text: kept.length ? `${rest}?${kept.join('&')}` : rest, signature, expiry };
}

/**
 * Verifies an ImageKit signed URL over the raw request URL: HMAC-SHA1 (hex) of the part after the URL endpoint
 * plus the expiry, with the current key or, during rotation, the previous one. A URL without `ik-s` is
 * 'unsigned'; a bad, tampered or expired signature throws 401.
 */
export function verifySignature(rawUrl: string, urlPrefix: string, keys: string[], nowSeconds = Date.now() / 1000): SignatureResult {
  const { text, signature, expiry } = signedPart(rawUrl, urlPrefix);
  if (signature === undefined) {
    if (expiry !== undefined) throw unauthorized('The URL has ik-t but no ik-s signature');
    return 'unsigned';
  }
  if (expiry !== undefined && !/^\d{1,10}$/.test(expiry)) throw unauthorized('ik-t must be a Unix time in seconds');
  const given = Buffer.from(signature.toLowerCase());
  const matches = keys.some((key) => {
    const expected = Buffer.from(createHmac('sha1', key).update(text + (expiry ?? NEVER)).digest('hex'));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!matches) throw unauthorized('The URL signature (ik-s) is not valid for this URL');
  if (expiry !== undefined && Number(expiry) < nowSeconds) {
    throw unauthorized(`The signed URL expired at ${new Date(Number(expiry) * 1000).toISOString()}`);
  }
  return 'valid';
}
