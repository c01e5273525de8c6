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
  const target = targetOf(rawUrl);
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

/** Decodes a run of escapes, leaving it as it was when it is not UTF-8. */
function decodeRun(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    return run.toUpperCase();
  }
}

/**
 * A target as the Functions host (ASP.NET Core) hands it to the app: every escape decoded except `%2F`. Two
 * forms of one request target agree here, whatever their escaping; different requests never do.
 */
export function hostForm(target: string): string {
  return target.replace(/(%[0-9A-Fa-f]{2})+/g, (run) =>
    run
      .split(/(%2F)/i)
      .map((part) => (/^%2F$/i.test(part) ? '%2F' : decodeRun(part)))
      .join(''),
  );
}

/** The path and query of a URL, as sent. */
const targetOf = (rawUrl: string) => rawUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/#.*$/, '');

/** Characters a URL path may hold unescaped (RFC 3986 pchar and "/"), which ASP.NET Core leaves as they are. */
const PATH_CHAR = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]$/;

/**
 * A decoded path encoded again as ASP.NET Core does before the app sees it: other characters as upper-case UTF-8
 * escapes, while a `%` that already starts an escape is left as it is (so `%253A`, decoded to `%3A`, stays `%3A`).
 */
function reencoded(path: string): string {
  return path.replace(/%[0-9A-Fa-f]{2}|[\s\S]/gu, (part) =>
    part.length === 3 || PATH_CHAR.test(part) ? part : [...Buffer.from(part)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

function splitTarget(target: string): [string, string] {
  const queryStart = target.indexOf('?');
  return queryStart === -1 ? [target, ''] : [target.slice(0, queryStart), target.slice(queryStart + 1)];
}

/**
 * Spellings of a signed text that the Functions host folds into the one it passes on: hex escapes in lower case
 * (`caf%c3%a9`) and escaped commas (`%2C`), which it decodes and re-encodes in upper case or not at all. Each names
 * the same path, so a signature over any of them is a signature over this request.
 */
function hostSpellings(text: string): string[] {
  const [path, query] = splitTarget(text);
  const lower = (p: string) => p.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
  const commas = path.replace(/,/g, '%2C');
  return [...new Set([path, lower(path), commas, lower(commas)])].map((p) => p + (text.includes('?') ? `?${query}` : ''));
}

/**
 * Whether `received` is what the Functions host passes on for a client that sent `sent`: its path decoded and
 * encoded again, its query as sent. Path and query are compared apart, so an escaped `?` in a path never passes for
 * the start of a query, and an escaped `/` stays one. The target a platform keeps as the client sent it (App
 * Service's `X-Waws-Unencoded-Url`) may stand for the received one only then: it restores the client's spelling,
 * and names nothing the client could not have sent as the request itself.
 */
export function sameRequest(sent: string, received: string): boolean {
  const [sentPath, sentQuery] = splitTarget(targetOf(sent));
  const [path, query] = splitTarget(targetOf(received));
  return hostForm(reencoded(hostForm(sentPath))) === hostForm(path) && hostForm(sentQuery) === hostForm(query);
}

/** True when the URL carries `ik-s`, valid or not: such a URL is always verified. */
export function isSignedRequest(rawUrl: string): boolean {
  return signedParts(rawUrl, '').signatures.length > 0;
}

/**
 * Verifies an ImageKit signed URL over the raw request URL: HMAC-SHA1 (hex) of the part after the URL endpoint
 * plus the expiry, with the current key or, during rotation, the previous one. A URL without `ik-s` is
 * unsigned; a bad, tampered or expired signature throws 401.
 *
 * The Functions host re-encodes the path before the app sees it, so the text is also tried in the spellings it
 * folds (`hostSpellings`).
 */
export function verifySignature(rawUrl: string, urlPrefix: string, keys: string[], nowSeconds = Date.now() / 1000): SignatureResult {
  const { texts: received, signatures, expiries } = signedParts(rawUrl, urlPrefix);
  if (signatures.length === 0) {
    if (expiries.length > 0) throw unauthorized('The URL has ik-t but no ik-s signature');
    return { signed: false };
  }
  const texts = [...new Set(received.flatMap(hostSpellings))];
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
