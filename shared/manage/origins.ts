import type { Repositories } from '../config/repositories';
import { IMAGEKIT_ORIGIN_TYPES, originInput, type OriginConfig } from '../config/schemas';
import { parseBody, type ManageParts } from './api';
import { crudHandler } from './crud';
import { badParam, conflict } from '../http/errors';

const SUPPORTED_TYPES: readonly string[] = originInput.options.map((o) => o.shape.type.value);

function parseOrigin(body: unknown, _id: string | undefined, existing: OriginConfig | undefined): Promise<OriginConfig> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badParam('The request body must be a JSON object');
  const input = { ...(body as Record<string, unknown>) };
  const type = input.type;
  if (typeof type !== 'string' || !(IMAGEKIT_ORIGIN_TYPES as readonly string[]).includes(type)) {
    throw badParam(`type: must be one of ${IMAGEKIT_ORIGIN_TYPES.join(', ')}`);
  }
  if (!SUPPORTED_TYPES.includes(type)) {
    throw badParam(`type: ${type} origins are not supported by this server (supported: ${SUPPORTED_TYPES.join(', ')})`);
  }
  // An update may leave the secret out to keep the stored one, so clients never need to hold it again.
  if (existing?.type === 'AZURE_BLOB' && type === 'AZURE_BLOB' && input.sasToken === undefined) input.sasToken = existing.sasToken;
  return Promise.resolve(parseBody(originInput, input));
}

/** The stored origin without its secret, in the shape of ImageKit's OriginResponse. */
function presentOrigin(id: string, origin: OriginConfig): object {
  if (origin.type !== 'AZURE_BLOB') return { id, ...origin };
  const { sasToken: _secret, ...visible } = origin;
  return { id, ...visible };
}

async function checkOriginUnused(repositories: Repositories, id: string): Promise<void> {
  const users = (await repositories.listUrlEndpoints()).filter((e) => e.value.origins.includes(id)).map((e) => e.id);
  if (users.length > 0) {
    throw conflict(`Origin "${id}" is used by URL endpoint(s) ${users.join(', ')}; remove it from them first`);
  }
}

export function manageOrigins(parts: ManageParts) {
  const { origins } = parts.repositories;
  return crudHandler<OriginConfig>(parts, {
    noun: 'origin',
    collection: origins,
    parse: parseOrigin,
    present: presentOrigin,
    checkDelete: (id) => checkOriginUnused(parts.repositories, id),
  });
}
