import { Collection, WriteConflictError, type ConfigTable, type Versioned } from './collection';
import { DEFAULT_ENDPOINT_ID, type NamedTransformationConfig, type OriginConfig, type UrlEndpointConfig } from './schemas';

const DEFAULT_ENDPOINT: UrlEndpointConfig = { description: 'Default URL endpoint', origins: [], urlPrefix: '' };

/** The configuration objects in the config table. */
export interface Repositories {
  origins: Collection<OriginConfig>;
  urlEndpoints: Collection<UrlEndpointConfig>;
  namedTransformations: Collection<NamedTransformationConfig>;
  /** All URL endpoints, the default first. */
  listUrlEndpoints(): Promise<Versioned<UrlEndpointConfig>[]>;
  getUrlEndpoint(id: string): Promise<Versioned<UrlEndpointConfig> | undefined>;
}

export function createRepositories(table: ConfigTable): Repositories {
  const origins = new Collection<OriginConfig>(table, 'origin');
  /** Delivery matches a prefix by the first path segment; unique regardless of case so no two endpoints differ only by it. */
  const urlEndpoints = new Collection<UrlEndpointConfig>(table, 'urlEndpoint', { name: 'urlPrefix', key: (e) => e.urlPrefix.toLowerCase() });
  /** `n-<name>` is looked up by the exact name. */
  const namedTransformations = new Collection<NamedTransformationConfig>(table, 'namedTransformation', { name: 'name', key: (n) => n.name });
  const ensureDefault = () => ensureDefaultEndpoint(urlEndpoints);
  return {
    origins,
    urlEndpoints,
    namedTransformations,
    async listUrlEndpoints() {
      const all = await urlEndpoints.list();
      const others = all.filter((e) => e.id !== DEFAULT_ENDPOINT_ID);
      const defaultEndpoint = all.find((e) => e.id === DEFAULT_ENDPOINT_ID) ?? (await ensureDefault());
      return [defaultEndpoint, ...others];
    },
    getUrlEndpoint: (id) => (id === DEFAULT_ENDPOINT_ID ? ensureDefault() : urlEndpoints.get(id)),
  };
}

/** The default endpoint (id `default`, prefix "") always exists, as in ImageKit; it is created on first read. */
async function ensureDefaultEndpoint(urlEndpoints: Collection<UrlEndpointConfig>): Promise<Versioned<UrlEndpointConfig>> {
  const existing = await urlEndpoints.get(DEFAULT_ENDPOINT_ID);
  if (existing) return existing;
  try {
    await urlEndpoints.create(DEFAULT_ENDPOINT_ID, DEFAULT_ENDPOINT);
  } catch (error) {
    if (!(error instanceof WriteConflictError)) throw error;
  }
  return (await urlEndpoints.get(DEFAULT_ENDPOINT_ID))!;
}
