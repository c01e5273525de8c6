import type { Repositories } from './repositories';
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

/** The configuration delivery reads, kept in memory (CONFIG_CACHE_SECONDS). */
export interface ConfigSnapshot {
  /**
   * The configuration as delivery sees it, kept in memory for `cacheSeconds` so the hot path does not read Table
   * Storage on every request. Once it is older, it is still served while a fresh copy is read in the background, so
   * no request waits on storage once the instance has read the configuration once; a storage outage then leaves the
   * last configuration in force until storage answers again. Writes through this instance's management API drop it
   * at once (`invalidate`), and the next request reads the new one.
   */
  current(): Promise<DeliveryConfig>;
  invalidate(): void;
}

export function createConfigSnapshot(repositories: Repositories, options: { cacheSeconds: number }): ConfigSnapshot {
  const ttlMs = options.cacheSeconds * 1000;
  let current: { at: number; value: DeliveryConfig } | undefined;
  let refreshing: { generation: number; value: Promise<DeliveryConfig> } | undefined;
  /** Bumped by every write through this instance, so a read that started before the write is not kept. */
  let generation = 0;

  const load = async (): Promise<DeliveryConfig> => {
    const [endpoints, originRows, namedRows] = await Promise.all([repositories.listUrlEndpoints(), repositories.origins.list(), repositories.namedTransformations.list()]);
    return {
      endpoints: endpoints
        .map((e) => ({ id: e.id, ...e.value }))
        .sort((a, b) => Number(a.urlPrefix === '') - Number(b.urlPrefix === '')),
      origins: new Map(originRows.map((o) => [o.id, { id: o.id, ...o.value }])),
      namedTransformations: new Map(namedRows.map((n) => [n.value.name, n.value])),
    };
  };

  /** Reads the configuration once, however many requests ask meanwhile; a storage failure is the caller's to answer (503). */
  const refresh = (): Promise<DeliveryConfig> => {
    if (refreshing?.generation !== generation) {
      const started = generation;
      const value = load().then((loaded) => {
        if (started === generation) current = { at: Date.now(), value: loaded };
        return loaded;
      });
      const attempt = { generation: started, value };
      const settled = () => {
        if (refreshing === attempt) refreshing = undefined;
      };
      refreshing = attempt;
      value.then(settled, settled);
    }
    return refreshing!.value;
  };

  return {
    current() {
      if (current && Date.now() - current.at < ttlMs) return Promise.resolve(current.value);
      const fresh = refresh();
      if (!current) return fresh;
      fresh.catch(() => undefined);
      return Promise.resolve(current.value);
    },
    invalidate() {
      current = undefined;
      generation++;
    },
  };
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
