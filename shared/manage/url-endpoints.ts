import { getUrlEndpoint, listUrlEndpoints, origins, urlEndpoints } from '../config/repositories';
import { DEFAULT_ENDPOINT_ID, urlEndpointInput, type UrlEndpointConfig } from '../config/schemas';
import { parseBody } from './api';
import { crudHandler } from './crud';
import { badParam } from '../http/errors';

async function parseUrlEndpoint(body: unknown, id: string | undefined): Promise<UrlEndpointConfig> {
  const { urlRewriter: _none, ...value } = parseBody(urlEndpointInput, body);

  const isDefault = id === DEFAULT_ENDPOINT_ID;
  if (isDefault && value.urlPrefix !== '') throw badParam('urlPrefix: the default URL endpoint always has an empty prefix');
  if (!isDefault && value.urlPrefix === '') throw badParam('urlPrefix: is required (the empty prefix belongs to the default URL endpoint)');

  const seen = new Set<string>();
  for (const [index, originId] of value.origins.entries()) {
    if (seen.has(originId)) throw badParam(`origins.${index}: origin "${originId}" is listed twice`);
    seen.add(originId);
    if (!(await origins.get(originId))) throw badParam(`origins.${index}: no origin with id "${originId}"`);
  }
  return value;
}

/**
 * An origin's delete checks that no endpoint lists it, then deletes it conditional on the ETag it read before that
 * check. Touching each newly listed origin after this endpoint is stored makes that delete fail when it checked too
 * early; when the delete came first, the origin is gone here and the endpoint write is undone.
 */
async function confirmOrigins(_id: string, value: UrlEndpointConfig, previous: UrlEndpointConfig | undefined): Promise<string | undefined> {
  for (const [index, originId] of value.origins.entries()) {
    if (previous?.origins.includes(originId)) continue;
    if (!(await origins.touch(originId))) return `origins.${index}: origin "${originId}" was deleted while this request ran`;
  }
  return undefined;
}

async function checkDeletable(id: string): Promise<void> {
  if (id === DEFAULT_ENDPOINT_ID) throw badParam('The default URL endpoint cannot be deleted');
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
  confirm: confirmOrigins,
});
