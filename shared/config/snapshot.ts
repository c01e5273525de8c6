import { settings } from '../settings';
import { listUrlEndpoints, namedTransformations, origins } from './repositories';
import type { NamedTransformationConfig, OriginConfig, UrlEndpointConfig } from './schemas';

export interface EndpointView extends UrlEndpointConfig {
  id: string;
}

/** What delivery needs of the configuration, read together. */
export interface DeliveryConfig {
  /** Endpoints with a prefix first, the default (prefix "") last. */
  endpoints: EndpointView[];
  origins: Map<string, OriginConfig & { id: string }>;
  /** Named transformations by name (`n-<name>`). */
  namedTransformations: Map<string, NamedTransformationConfig>;
}

let cached: { at: number; value: Promise<DeliveryConfig> } | undefined;

async function load(): Promise<DeliveryConfig> {
  const [endpoints, originRows, namedRows] = await Promise.all([listUrlEndpoints(), origins.list(), namedTransformations.list()]);
  return {
    endpoints: endpoints
      .map((e) => ({ id: e.id, ...e.value }))
      .sort((a, b) => Number(a.urlPrefix === '') - Number(b.urlPrefix === '')),
    origins: new Map(originRows.map((o) => [o.id, { id: o.id, ...o.value }])),
    namedTransformations: new Map(namedRows.map((n) => [n.value.name, n.value])),
  };
}

/**
 * The configuration as delivery sees it, kept in memory for CONFIG_CACHE_SECONDS so the hot path does not
 * read Table Storage on every request. Writes through this instance's management API drop it at once.
 */
export function deliveryConfig(): Promise<DeliveryConfig> {
  const ttlMs = settings().CONFIG_CACHE_SECONDS * 1000;
  if (!cached || Date.now() - cached.at >= ttlMs) {
    const value = load();
    cached = { at: Date.now(), value };
    value.catch(() => {
      if (cached?.value === value) cached = undefined;
    });
  }
  return cached.value;
}

export function invalidateDeliveryConfig(): void {
  cached = undefined;
}

/** Splits a decoded request path into its URL endpoint and the rest, by the first segment. */
export function resolveEndpoint(config: DeliveryConfig, segments: string[]): { endpoint: EndpointView; rest: string[] } | undefined {
  const first = segments[0] ?? '';
  for (const endpoint of config.endpoints) {
    if (endpoint.urlPrefix === '') return { endpoint, rest: segments };
    if (endpoint.urlPrefix === first) return { endpoint, rest: segments.slice(1) };
  }
  return undefined;
}
