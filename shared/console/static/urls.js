// @ts-check
/**
 * Delivery URLs as `@imagekit/javascript` and `@imagekit/nodejs` build them: the endpoint, the asset path, then
 * `?tr=`; signed with HMAC-SHA1 over the part after the endpoint plus the expiry, as the server verifies it.
 */

/** ImageKit's expiry for a signed URL that never expires (left out of the URL). */
const NEVER = 9999999999;

/** @param {string} origin @param {string} urlPrefix */
export const endpointUrl = (origin, urlPrefix) => (urlPrefix ? `${origin}/${urlPrefix}` : origin);

/**
 * The URL for `path` under `urlEndpoint` with an optional raw transformation string.
 * @param {string} urlEndpoint @param {string} path @param {string} transformation
 */
export function buildUrl(urlEndpoint, path, transformation) {
  const url = new URL(urlEndpoint);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  return transformation ? `${url.href}?tr=${transformation}` : url.href;
}

/** @param {ArrayBuffer} buffer */
const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

/**
 * `url` signed with the private key, valid for `expiresIn` seconds (or forever when not positive).
 * @param {string} url @param {string} urlEndpoint @param {string} privateKey @param {number} expiresIn
 */
export async function signUrl(url, urlEndpoint, privateKey, expiresIn) {
  const expiry = expiresIn > 0 ? Math.floor(Date.now() / 1000) + expiresIn : NEVER;
  const endpoint = urlEndpoint.endsWith('/') ? urlEndpoint : `${urlEndpoint}/`;
  const text = url.replace(endpoint, '') + String(expiry);
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(privateKey), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const signature = hex(await crypto.subtle.sign('HMAC', key, encoder.encode(text)));
  const separator = url.includes('?') ? '&' : '?';
  return expiry === NEVER ? `${url}${separator}ik-s=${signature}` : `${url}${separator}ik-t=${expiry}&ik-s=${signature}`;
}

/**
 * The SDK call that builds the same URL: `@imagekit/javascript` in the browser, `@imagekit/nodejs` on a server
 * when it is signed, since signing needs the private key.
 * @param {string} urlEndpoint @param {string} path @param {string} transformation @param {boolean} signed @param {number} expiresIn
 */
export function sdkSnippet(urlEndpoint, path, transformation, signed, expiresIn) {
  const steps = transformation ? transformation.split(':').map((step) => `{ raw: ${JSON.stringify(step)} }`) : [];
  const options = [`urlEndpoint: ${JSON.stringify(urlEndpoint)}`, `src: ${JSON.stringify(`/${path.replace(/^\/+/, '')}`)}`];
  if (steps.length) options.push(`transformation: [${steps.join(', ')}]`);
  if (!signed) return `import { buildSrc } from '@imagekit/javascript';\n\nconst url = buildSrc({\n  ${options.join(',\n  ')},\n});`;
  options.push('signed: true');
  if (expiresIn > 0) options.push(`expiresIn: ${expiresIn}`);
  return (
    `// Signing needs the private key: on your server only.\nimport ImageKit from '@imagekit/nodejs';\n\n` +
    `const client = new ImageKit({ privateKey: process.env.IMAGEKIT_PRIVATE_KEY });\nconst url = client.helper.buildSrc({\n  ${options.join(',\n  ')},\n});`
  );
}
