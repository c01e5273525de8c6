import { LRUCache } from 'lru-cache';
import { cacheQuery, renditionName } from '../cache/key';
import type { DeliveryConfig } from '../config/snapshot';
import { notFound } from '../http/errors';
import { canonicalTransformation } from '../transform/grammar/print';
import { lastValue } from '../transform/grammar/query';
import { parseDeliveryUrl, type DeliveryRequest } from './request';

/** A delivery URL taken apart once: what it asks for, and what names its renditions. */
export interface ResolvedUrl {
  url: URL;
  request: DeliveryRequest;
  /** The last explicit `f-` (not `auto`): the format does not depend on Accept. */
  explicitFormat: boolean;
  /** `di-`: the default image, when the URL names one. */
  defaultImage?: string;
  /** Rendition blob name per Accept class; `transformation` replaces the URL's when client hints changed the steps. */
  renditionName(variant: string, transformation?: string): string;
}

interface Memo {
  config: DeliveryConfig;
  resolved: ResolvedUrl;
}

// Hot URLs are parsed once per configuration snapshot: parsing and hashing are most of a cache hit's own work.
const memo = new LRUCache<string, Memo>({ max: 10_000 });

function resolveNow(rawUrl: string, config: DeliveryConfig): ResolvedUrl {
  const url = new URL(rawUrl);
  const request = parseDeliveryUrl(url, config);
  if (!request || request.assetPath === '') throw notFound('No asset path in the URL');
  const f = lastValue(request.steps, 'f');
  const keyParts = {
    endpointId: request.endpoint.id,
    assetPath: request.assetPath,
    transformation: canonicalTransformation(request.steps),
    query: cacheQuery(url.searchParams),
  };
  const names = new Map<string, string>();
  return {
    url,
    request,
    explicitFormat: f !== undefined && f !== 'auto',
    defaultImage: lastValue(request.steps, 'di'),
    renditionName(variant, transformation) {
      if (transformation !== undefined) return renditionName({ ...keyParts, transformation, variant });
      let name = names.get(variant);
      if (name === undefined) {
        name = renditionName({ ...keyParts, variant });
        names.set(variant, name);
      }
      return name;
    },
  };
}

/** Parses a delivery URL (after the edge hint is removed) against the configuration, reusing earlier work for the same snapshot. */
export function resolveUrl(rawUrl: string, config: DeliveryConfig): ResolvedUrl {
  const known = memo.get(rawUrl);
  if (known?.config === config) return known.resolved;
  const resolved = resolveNow(rawUrl, config);
  memo.set(rawUrl, { config, resolved });
  return resolved;
}
