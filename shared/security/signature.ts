import { createHmac, timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../http/errors';

/** ImageKit's expiry for URLs that never expire; `ik-t` is left out of such URLs. */
const NEVER = '9999999999';

/** A verified URL says when it expires (undefined: never); an unsigned one says nothing more. */
export type SignatureResult = { signed: false } | { signed: true; expiresAt?: number };

/** The query parameter's name as a server reads it: form-decoded, so `ik%2Ds` is `ik-s` too. */
function parameterName(pair: string): string {
  return [...new URLSearchParams(pair).keys()][0] ?? '';
}

interface SignedParts {
  /** What an SDK may have signed: relative to `<origin>/<urlPrefix>` first, then to the origin itself. */
  texts: string[];
  signatures: string[];
  expiries: string[];
}

/**
 * What ImageKit signs: the raw path and query after the URL endpoint, without `ik-s` and `ik-t`, in their
 * original order. The URL is never parsed and re-serialised, so the bytes are the ones the client sent.
 */
function signedParts(rawUrl: string, urlPrefix: string): SignedParts {
  const target = rawUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/#.*$/, '');
  const queryStart = target.indexOf('?');
  const path = queryStart === -1 ? target : target.slice(0, queryStart);
  const signatures: string[] = [];
  const expiries: string[] = [];
  const kept = (queryStart === -1 ? [] : target.slice(queryStart + 1).split('&')).filter((pair) => {
    const name = parameterName(pair);
    const value = pair.slice(pair.indexOf('=') + 1);
    if (name === 'ik-s') signatures.push(value);
    else if (name === 'ik-t') expiries.push(value);
    else return pair !== '';
    return false;
  });
  const query = kept.length ? `?${kept.join('&')}` : '';
  const fromRoot = path.replace(/^\//, '');
  const endpointPath = `/${urlPrefix}/`;
  // SDK users of a prefixed endpoint may pass either `<origin>/<prefix>` or the origin as urlEndpoint.
  const texts = urlPrefix !== '' && path.startsWith(endpointPath) ? [path.slice(endpointPath.length) + query, fromRoot + query] : [fromRoot + query];
  return { texts, signatures, expiries };
}

/** True when the URL carries `ik-s`, valid or not: such a URL is always verified. */
export function isSignedRequest(rawUrl: string): boolean {
  return signedParts(rawUrl, '').signatures.length > 0;
}

/**
 * Verifies an ImageKit signed URL over the raw request URL: HMAC-SHA1 (hex) of the part after the URL endpoint
 * plus the expiry, with the current key or, during rotation, the previous one. A URL without `ik-s` is
 * unsigned; a bad, tampered or expired signature throws 401.
 */
export function verifySignature(rawUrl: string, urlPrefix: string, keys: string[], nowSeconds = Date.now() / 1000): SignatureResult {
  const { texts, signatures, expiries } = signedParts(rawUrl, urlPrefix);
  if (signatures.length === 0) {
    if (expiries.length > 0) throw unauthorized('The URL has ik-t but no ik-s signature');
    return { signed: false };
  }
  // One of each: with two, the signature checked and the expiry honoured could differ.
  if (signatures.length > 1 || expiries.length > 1) throw unauthorized('The URL carries more than one ik-s or ik-t');
  const expiry = expiries[0];
  if (expiry !== undefined && !/^\d{1,10}$/.test(expiry)) throw unauthorized('ik-t must be a Unix time in seconds');
  const given = Buffer.from(signatures[0].toLowerCase());
  // Every key and form is compared, in constant time each, so timing says nothing about which one matched.
  let matches = false;
  for (const key of keys) {
    for (const text of texts) {
      const expected = Buffer.from(createHmac('sha1', key).update(text + (expiry ?? NEVER)).digest('hex'));
      if (expected.length === given.length && timingSafeEqual(expected, given)) matches = true;
    }
  }
  if (!matches) throw unauthorized('The URL signature (ik-s) is not valid for this URL');
  if (expiry === undefined || expiry === NEVER) return { signed: true };
  if (Number(expiry) < nowSeconds) throw unauthorized(`The signed URL expired at ${new Date(Number(expiry) * 1000).toISOString()}`);
  return { signed: true, expiresAt: Number(expiry) };
}
