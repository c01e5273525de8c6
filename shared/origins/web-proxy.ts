import { badParam, unauthorized, type IkError } from '../http/errors';
import { checkSafePath } from '../security/paths';
import { httpFetch } from './http-fetch';
import type { Origin, OriginObject } from './types';
import { webAccess } from './web-access';

/**
 * The absolute URL a WEB_PROXY path names: `https://host/a.jpg` percent-encoded as one segment, or written
 * plainly, in which case the delivery path arrives with `//` folded to `/`. Undefined when it names none.
 */
export function proxiedUrl(assetPath: string): URL | undefined {
  // `..` in the proxied URL is resolved by the URL parser, but the same request in another encoding is refused by
  // delivery: refuse it here too, so every origin answers one way.
  checkSafePath(assetPath, 'the asset');
  const match = /^(https?):\/\/?([^/].*)$/i.exec(assetPath);
  if (!match) return undefined;
  try {
    return new URL(`${match[1].toLowerCase()}://${match[2]}`);
  } catch {
    return undefined;
  }
}

/** An open proxy would fetch anything for anyone, from this server's address. */
export function unsignedProxyRefused(): IkError {
  return unauthorized('WEB_PROXY origins serve signed URLs only: sign the URL, or set allowUnsignedWebProxy on the URL endpoint');
}

/** WEB_PROXY origin: the path after the URL endpoint is the absolute http(s) URL of the original. */
export function webProxyOrigin(): Origin {
  return {
    async fetch(assetPath, request): Promise<OriginObject | undefined> {
      const url = proxiedUrl(assetPath);
      if (!url) return undefined;
      if (!request.proxyAllowed) throw unsignedProxyRefused();
      return httpFetch(url, { limits: request.limits });
    },
    test(assetPath, limits) {
      // A WEB_PROXY origin has no server of its own: only a URL it would fetch can be tested.
      const url = assetPath === undefined ? undefined : proxiedUrl(assetPath);
      if (!url) throw badParam('a WEB_PROXY origin is tested with the absolute URL of an image, for example https://example.com/photo.jpg');
      return webAccess(url, limits, true);
    },
  };
}
