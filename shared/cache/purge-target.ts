import type { DeliveryConfig } from '../config/snapshot';
import { parseDeliveryUrl } from '../delivery/request';
import { assetPrefix } from './key';

export interface PurgeTarget {
  /** Rendition blob-name prefix to delete. */
  prefix: string;
  /** The URL path as Front Door caches it, `*` kept for a wildcard. */
  edgePath: string;
}

/**
 * ImageKit's rule for a trailing `*`: allowed when the path after the endpoint has two or more levels, is
 * at least 15 characters long, or names a file with an extension. Nowhere else.
 */
function wildcardAllowed(assetPath: string): boolean {
  return assetPath.split('/').filter(Boolean).length >= 2 || assetPath.length >= 15 || /\.[A-Za-z0-9]+$/.test(assetPath);
}

/**
 * What a purge of one delivery URL removes: every rendition of the asset path (all transformations and
 * formats), or with a trailing `*` every asset path that starts with it. Returns a reason when the URL is refused.
 */
export function purgeTarget(rawUrl: string, config: DeliveryConfig): PurgeTarget | string {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return 'url: must be a full URL, for example https://images.example.com/path/to/image.jpg';
  }
  const wildcard = url.pathname.endsWith('*');
  if (url.pathname.slice(0, -1).includes('*')) return 'url: "*" is only allowed at the end';
  const path = wildcard ? url.pathname.replace(/\*$/, '') : url.pathname;
  // Transformations are dropped: a purge of a URL removes every variant of its asset.
  const parsed = parseDeliveryUrl(new URL(path, url.origin), config);
  if (!parsed || parsed.assetPath === '') return 'url: names no asset path';
  if (wildcard && !wildcardAllowed(parsed.assetPath)) {
    return 'url: a wildcard needs at least two folder levels, 15 characters, or a file name with an extension before "*"';
  }
  const prefix = wildcard ? `${parsed.endpoint.id}/${parsed.assetPath}` : assetPrefix(parsed.endpoint.id, parsed.assetPath);
  return { prefix, edgePath: wildcard ? `${path}*` : path };
}
