import type { Collection } from '../config/collection';
import { namedTransformationInput, type NamedTransformationConfig } from '../config/schemas';
import { badParam, IkError, overLimit } from '../http/errors';
import { parseTransformation } from '../transform/grammar/parse';
import { parseBody, type ManageParts } from './api';
import { crudHandler } from './crud';

/** ImageKit allows 250 named transformations per account. */
const MAX_NAMED = 250;

const isObject = (body: unknown): body is object => typeof body === 'object' && body !== null && !Array.isArray(body);

/**
 * POST takes the whole object; PATCH (`existing` set) only the fields to change, as `@imagekit/nodejs` sends them.
 * The transformation must parse here, so a broken one is refused when saved rather than on every delivery.
 */
async function parseNamed(namedTransformations: Collection<NamedTransformationConfig>, body: unknown, existing: NamedTransformationConfig | undefined): Promise<NamedTransformationConfig> {
  const value = parseBody(namedTransformationInput, existing && isObject(body) ? { ...existing, ...body } : body);
  try {
    parseTransformation(value.transformation);
  } catch (error) {
    if (error instanceof IkError) throw badParam(`transformation: ${error.message}`);
    throw error;
  }
  if (!existing && (await namedTransformations.list()).length >= MAX_NAMED) throw overLimit(`At most ${MAX_NAMED} named transformations are allowed`);
  return { ...value, createdAt: existing?.createdAt ?? new Date().toISOString() };
}

export function manageNamedTransformations(parts: ManageParts) {
  const { namedTransformations } = parts.repositories;
  return crudHandler<NamedTransformationConfig>(parts, {
    noun: 'named transformation',
    collection: namedTransformations,
    parse: (body, _id, existing) => parseNamed(namedTransformations, body, existing),
    present: (id, value) => ({ id, ...value }),
    checkDelete: () => Promise.resolve(),
  });
}
