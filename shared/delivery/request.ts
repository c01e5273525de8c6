import { badParam } from '../http/errors';
import type { DeliveryConfig, EndpointView } from '../config/snapshot';
import { resolveEndpoint } from '../config/snapshot';
import { checkSafePath } from '../security/paths';
import type { AccessRequest } from '../security/access';
import { expandNamed, onlyNamed } from '../transform/named';
import type { Step } from '../transform/grammar/model';
import { parseTransformation } from '../transform/grammar/parse';
import { countTransformation } from '../transform/grammar/query';

/** A delivery URL taken apart: which endpoint, which asset, which transformation steps. */
export interface DeliveryRequest extends AccessRequest {
  endpoint: EndpointView;
  assetPath: string;
  steps: Step[];
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badParam(`Malformed percent-encoding in path segment "${segment}"`);
  }
}

/**
 * Reads `/<urlPrefix>/<tr:STEPS>/<asset path>?tr=STEPS`. Path steps come first, then query steps, chained
 * (ImageKit does not document the combination; chaining loses nothing). Returns undefined when no endpoint matches.
 */
export function parseDeliveryUrl(url: URL, config: DeliveryConfig): DeliveryRequest | undefined {
  const segments = url.pathname.split('/').filter((s) => s !== '').map(decodeSegment);
  const resolved = resolveEndpoint(config, segments);
  if (!resolved) return undefined;
  let rest = resolved.rest;
  const texts: string[] = [];
  if (rest[0]?.startsWith('tr:')) {
    texts.push(rest[0].slice(3));
    rest = rest.slice(1);
  }
  // URLSearchParams form-decodes once, so `tr=w-300%2Ch-200` (legacy SDK) and `tr=w-300,h-200` read the same.
  texts.push(...url.searchParams.getAll('tr'));
  // Named transformations are expanded before parsing, so the canonical form (the cache key) follows their current text.
  const assetPath = rest.join('/');
  // Before anything is parsed or fetched: a decoded `%2f..%2f` would otherwise reach storage as a real `../`.
  checkSafePath(assetPath, 'the asset');
  const steps = texts.flatMap((t) => parseTransformation(expandNamed(t, config.namedTransformations)));
  return { endpoint: resolved.endpoint, assetPath, steps, namedOnly: texts.every(onlyNamed), counts: countTransformation(steps) };
}
