import type { WebFolderOriginConfig } from '../config/schemas';
import { checkSafePath, unsafePath } from '../security/paths';
import { httpFetch } from './http-fetch';
import type { Origin, OriginObject } from './types';
import { webAccess } from './web-access';

/**
 * The URL of an asset under the base URL, each path segment percent-encoded again (the delivery path arrives
 * decoded). A path that could climb out of the base URL's folder is refused (400), and the result is checked to
 * stand under the base path.
 */
export function webFolderUrl(baseUrl: string, assetPath: string): URL {
  checkSafePath(assetPath, 'the asset');
  const segments = assetPath.split('/').filter((s) => s !== '');
  const base = new URL(baseUrl);
  const folder = `${base.pathname.replace(/\/+$/, '')}/`;
  const url = new URL(base.origin);
  url.pathname = `${folder}${segments.map(encodeURIComponent).join('/')}`;
  url.search = base.search;
  if (!url.pathname.startsWith(folder)) throw unsafePath(assetPath, 'the asset', 'resolves outside the origin\'s base URL');
  return url;
}

/** WEB_FOLDER origin: GET `<baseUrl>/<asset path>` from a web server, as ImageKit's web server origin does. */
export function webFolderOrigin(config: WebFolderOriginConfig): Origin {
  return {
    async fetch(assetPath, request): Promise<OriginObject | undefined> {
      const url = webFolderUrl(config.baseUrl, assetPath);
      const hostHeader = config.forwardHostHeaderToOrigin ? request.requestHost : undefined;
      return httpFetch(url, { limits: request.limits, hostHeader });
    },
    test(assetPath, limits) {
      return webAccess(assetPath === undefined ? new URL(config.baseUrl) : webFolderUrl(config.baseUrl, assetPath), limits, assetPath !== undefined);
    },
  };
}
