import { getUrlEndpoint, listUrlEndpoints, origins, urlEndpoints } from '../config/repositories';
import { DEFAULT_ENDPOINT_ID, urlEndpointInput, type UrlEndpointConfig } from '../config/schemas';
import { ApiError, parseBody } from './api';
import { crudHandler } from './crud';

async function parseUrlEndpoint(body: unknown, id: string | undefined): Promise<UrlEndpointConfig> {
  const { urlRewriter: _none, ...value } = parseBody(urlEndpointInput, body);

  const isDefault = id === DEFAULT_ENDPOINT_ID;
  if (isDefault && value.urlPrefix !== '') throw new ApiError(400, 'urlPrefix: the default URL endpoint always has an empty prefix');
  if (!isDefault && value.urlPrefix === '') throw new ApiError(400, 'urlPrefix: is required (the empty prefix belongs to the default URL endpoint)');

  const seen = new Set<string>();
  for (const [index, originId] of value.origins.entries()) {
    if (seen.has(originId)) throw new ApiError(400, `origins.${index}: origin "${originId}" is listed twice`);
    seen.add(originId);
    if (!(await origins.get(originId))) throw new ApiError(400, `origins.${index}: no origin with id "${originId}"`);
  }
  return value;
}

async function checkDeletable(id: string): Promise<void> {
  if (id === DEFAULT_ENDPOINT_ID) throw new ApiError(400, 'The default URL endpoint cannot be deleted');
}

export const manageUrlEndpoints = crudHandler<UrlEndpointConfig>({
  noun: 'URL endpoint',
  collection: urlEndpoints,
  list: listUrlEndpoints,
  get: getUrlEndpoint,
  fixedIds: [DEFAULT_ENDPOINT_ID],
  parse: parseUrlEndpoint,
  present: (id, value) => ({ id, ...value }),
  checkDelete: checkDeletable,
});
