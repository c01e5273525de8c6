import { Collection, WriteConflictError, type Versioned } from './collection';
import { DEFAULT_ENDPOINT_ID, type NamedTransformationConfig, type OriginConfig, type UrlEndpointConfig } from './schemas';

export const origins = new Collection<OriginConfig>('origin');
/** Delivery matches a prefix by the first path segment; unique regardless of case so no two endpoints differ only by it. */
export const urlEndpoints = new Collection<UrlEndpointConfig>('urlEndpoint', { name: 'urlPrefix', key: (e) => e.urlPrefix.toLowerCase() });
/** `n-<name>` is looked up by the exact name. */
export const namedTransformations = new Collection<NamedTransformationConfig>('namedTransformation', { name: 'name', key: (n) => n.name });

const DEFAULT_ENDPOINT: UrlEndpointConfig = { description: 'Default URL endpoint', origins: [], urlPrefix: '' };

/** The default endpoint (id `default`, prefix "") always exists, as in ImageKit; it is created on first read. */
async function ensureDefaultEndpoint(): Promise<Versioned<UrlEndpointConfig>> {
  const existing = await urlEndpoints.get(DEFAULT_ENDPOINT_ID);
  if (existing) return existing;
  try {
    await urlEndpoints.create(DEFAULT_ENDPOINT_ID, DEFAULT_ENDPOINT);
  } catch (error) {
    if (!(error instanceof WriteConflictError)) throw error;
  }
  return (await urlEndpoints.get(DEFAULT_ENDPOINT_ID))!;
}

/** All URL endpoints, the default first. */
export async function listUrlEndpoints(): Promise<Versioned<UrlEndpointConfig>[]> {
  const all = await urlEndpoints.list();
  const others = all.filter((e) => e.id !== DEFAULT_ENDPOINT_ID);
  const defaultEndpoint = all.find((e) => e.id === DEFAULT_ENDPOINT_ID) ?? (await ensureDefaultEndpoint());
  return [defaultEndpoint, ...others];
}

export async function getUrlEndpoint(id: string): Promise<Versioned<UrlEndpointConfig> | undefined> {
  return id === DEFAULT_ENDPOINT_ID ? ensureDefaultEndpoint() : urlEndpoints.get(id);
}
