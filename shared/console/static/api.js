// @ts-check
/** The management API with the private key as HTTP Basic user name; the key lives in this tab's sessionStorage only. */

const KEY = 'imagekit-console-key';

export const storedKey = () => sessionStorage.getItem(KEY);
export const storeKey = (/** @type {string} */ key) => sessionStorage.setItem(KEY, key);
export const forgetKey = () => sessionStorage.removeItem(KEY);

/** An API answer that was not 2xx: its status and the API's own message. */
export class ApiFailure extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** `user:` in UTF-8, base64: btoa alone takes Latin-1 only. */
function basic(/** @type {string} */ key) {
  const bytes = new TextEncoder().encode(`${key}:`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * One call to `/v1/...` on this origin. Resolves the JSON body (undefined for 204); rejects with ApiFailure.
 * @param {string} method @param {string} path @param {unknown} [body] @param {string} [key]
 */
export async function api(method, path, body, key = storedKey() ?? '') {
  /** @type {Record<string, string>} */
  // X-Requested-With: a refused key then gets a 401 without a challenge, which would open the browser's own dialog.
  const headers = { authorization: basic(key), 'x-requested-with': 'XMLHttpRequest' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit' });
  const text = await response.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) throw new ApiFailure(response.status, data?.message ?? `${response.status} ${response.statusText}`);
  return data;
}
