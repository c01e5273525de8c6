import type { DeliveryConfig } from '../config/snapshot';
import { parseDeliveryUrl } from '../delivery/request';
import { badParam, IkError } from '../http/errors';
import { assetPrefix } from '../cache/key';

export interface PurgeTarget {
  /** Rendition blob-name prefix to delete. */
  prefix: string;
  /**
   * The URL paths as Front Door caches them, `*` kept for a wildcard: the path as given and, when it has a `tr:`
   * segment, the path without it, under which Front Door keeps every `?tr=` form of the asset.
   */
  edgePaths: string[];
}

/**
 * The delivery path of an asset, `/<url prefix>/<asset path>`, each segment percent-encoded and `*` too, so a file
 * whose name ends with `*` names itself, never a wildcard.
 */
export function deliveryPath(urlPrefix: string, assetPath: string): string {
  return `/${[urlPrefix, ...assetPath.split('/')].filter((s) => s !== '').map((s) => encodeURIComponent(s).replace(/\*/g, '%2A')).join('/')}`;
}

/** `path` without the `tr:` segment that follows the endpoint's prefix, if it has one. */
function withoutPathTransformation(path: string, urlPrefix: string): string {
  const segments = path.split('/');
  const at = urlPrefix === '' ? 1 : 2;
  return segments[at]?.startsWith('tr:') ? [...segments.slice(0, at), ...segments.slice(at + 1)].join('/') : path;
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
 * formats), or with a trailing `*` every asset path that starts with it. A URL it cannot purge is 400 naming why.
 */
export function purgeTarget(rawUrl: string, config: DeliveryConfig): PurgeTarget {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw badParam('url: must be a full URL, for example https://images.example.com/path/to/image.jpg');
  }
  const wildcard = url.pathname.endsWith('*');
  if (url.pathname.slice(0, -1).includes('*')) throw badParam('url: "*" is only allowed at the end');
  const path = wildcard ? url.pathname.replace(/\*$/, '') : url.pathname;
  // Transformations are dropped: a purge of a URL removes every variant of its asset.
  let parsed: ReturnType<typeof parseDeliveryUrl>;
  try {
    parsed = parseDeliveryUrl(new URL(path, url.origin), config);
  } catch (error) {
    // A path that could leave its folder, or a malformed transformation, is the request's fault.
    if (error instanceof IkError) throw badParam(`url: ${error.message}`);
    throw error;
  }
  if (!parsed || parsed.assetPath === '') throw badParam('url: names no asset path');
  if (wildcard && !wildcardAllowed(parsed.assetPath)) {
    throw badParam('url: a wildcard needs at least two folder levels, 15 characters, or a file name with an extension before "*"');
  }
  const prefix = wildcard ? `${parsed.endpoint.id}/${parsed.assetPath}` : assetPrefix(parsed.endpoint.id, parsed.assetPath);
  const edgePaths = [...new Set([path, withoutPathTransformation(path, parsed.endpoint.urlPrefix)])];
  return { prefix, edgePaths: wildcard ? edgePaths.map((p) => `${p}*`) : edgePaths };
}
