import type { HttpHandler, HttpResponseInit } from '@azure/functions';
import fs from 'node:fs';
import path from 'node:path';

/** The console's files, shipped next to this module (`npm run build` copies them into dist). */
export const CONSOLE_ASSETS = path.join(__dirname, 'static');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Only this origin's scripts, styles and API; images also from `blob:` (the playground shows the bytes it fetched).
 * No inline script or style, no framing, no plugins, forms post nowhere.
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Every console response: never cached (Front Door or browser), never framed, never sniffed. */
const SECURITY_HEADERS: Record<string, string> = {
  'cache-control': 'private, no-store',
  'content-security-policy': CONSOLE_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

interface Asset {
  type: string;
  body: Buffer;
}

/** The files of `folder` by name, read once: flat, so a request names one of them or nothing. */
function loadAssets(folder: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of fs.readdirSync(folder)) {
    const type = TYPES[path.extname(name)];
    if (type) assets.set(name, { type, body: fs.readFileSync(path.join(folder, name)) });
  }
  return assets;
}

const notFound = (): HttpResponseInit => ({ status: 404, headers: { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-type': 'text/plain; charset=utf-8' }, body: 'Not Found' });

/**
 * `GET /console/{file}`: the console's page (`/console`, `/console/`) and its scripts and styles. `enabled` is read
 * per request (CONSOLE_ENABLED); off, every console path is 404, as if there were no console.
 */
export function serveConsole(enabled: () => boolean, folder = CONSOLE_ASSETS): HttpHandler {
  let assets: Map<string, Asset> | undefined;
  return async (request) => {
    if (!enabled()) return notFound();
    assets ??= loadAssets(folder);
    const asset = assets.get(request.params.file || 'index.html');
    if (!asset) return notFound();
    return {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'content-type': asset.type },
      body: request.method === 'HEAD' ? undefined : asset.body,
    };
  };
}
