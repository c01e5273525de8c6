import type { EndpointView } from '../config/snapshot';
import { badParam, unauthorized } from '../http/errors';
import { settings } from '../settings';
import { checkTransformationLimits, type TransformationCounts } from './limits';
import { verifySignature } from './signature';

export interface DeliveryAccess {
  /** The URL carried a valid `ik-s`: origins that only serve signed URLs (WEB_PROXY) may rely on it. */
  signed: boolean;
  /** Seconds until a signed URL expires, so no cache keeps it longer; undefined when it never expires. */
  maxAgeSeconds?: number;
}

/** What access depends on in a parsed delivery URL. */
export interface AccessRequest {
  endpoint: EndpointView;
  /** Every parameter as written is `n-<name>`: what an endpoint that only allows named transformations accepts. */
  namedOnly: boolean;
  /** What the parsed transformation asks for. */
  counts: TransformationCounts;
}

/**
 * Decides whether a parsed delivery URL may be served: its signature when it carries `ik-s` (always checked),
 * the account's and the endpoint's restrictions, and the limits on what the transformation asks for.
 * Throws 401 (signature), 400 (unnamed transformation where only named ones are allowed) or 400 ELIMIT.
 */
export function authorizeDelivery(rawUrl: string, { endpoint, namedOnly, counts }: AccessRequest, nowSeconds = Date.now() / 1000): DeliveryAccess {
  const s = settings();
  const keys = [s.PRIVATE_API_KEY, s.PREVIOUS_PRIVATE_API_KEY].filter((k): k is string => k !== undefined);
  const signature = verifySignature(rawUrl, endpoint.urlPrefix, keys, nowSeconds);
  if (!signature.signed && (s.RESTRICT_UNSIGNED_URLS || endpoint.restrictUnsignedUrls)) {
    throw unauthorized('This URL endpoint serves signed URLs only');
  }
  if ((s.RESTRICT_UNNAMED_TRANSFORMATIONS || endpoint.restrictUnnamedTransformations) && !namedOnly) {
    throw badParam('Bad Image Transformation Request: only named transformations (n-<name>) are allowed on this URL endpoint');
  }
  checkTransformationLimits(counts);
  if (!signature.signed) return { signed: false };
  return { signed: true, maxAgeSeconds: signature.expiresAt === undefined ? undefined : Math.max(0, Math.floor(signature.expiresAt - nowSeconds)) };
}
