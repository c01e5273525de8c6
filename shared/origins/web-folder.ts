import type { WebFolderOriginConfig } from '../config/schemas';
import { httpFetch } from './http-fetch';
import type { Origin, OriginObject } from './types';

/**
 * The URL of an asset under the base URL, each path segment percent-encoded again (the delivery path arrives
 * decoded). Undefined for `.` and `..` segments, which would climb out of the base URL's folder.
 */
export function webFolderUrl(baseUrl: string, assetPath: string): URL | undefined {
  const segments = assetPath.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) return undefined;
  const base = new URL(baseUrl);
  const url = new URL(base.origin);
  url.pathname = `${base.pathname.replace(/\/+$/, '')}/${segments.map(encodeURIComponent).join('/')}`;
  url.search = base.search;
  return url;
}

/** WEB_FOLDER origin: GET `<baseUrl>/<asset path>` from a web server, as ImageKit's web server origin does. */
export function webFolderOrigin(config: WebFolderOriginConfig): Origin {
  return {
    async fetch(assetPath, request): Promise<OriginObject | undefined> {
      const url = webFolderUrl(config.baseUrl, assetPath);
      if (!url) return undefined;
      const hostHeader = config.forwardHostHeaderToOrigin ? request.requestHost : undefined;
      return httpFetch(url, { limits: request.limits, hostHeader });
    },
  };
}
