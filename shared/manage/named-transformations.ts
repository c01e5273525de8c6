import { namedTransformations } from '../config/repositories';
import { namedTransformationInput, type NamedTransformationConfig } from '../config/schemas';
import { IkError } from '../http/errors';
import { parseTransformation } from '../transform/params';
import { ApiError, validationMessage } from './api';
import { crudHandler } from './crud';

/** ImageKit allows 250 named transformations per account. */
const MAX_NAMED = 250;

/**
 * POST takes the whole object; PATCH (`existing` set) only the fields to change, as `@imagekit/nodejs` sends them.
 * The transformation must parse here, so a broken one is refused when saved rather than on every delivery.
 */
async function parseNamed(body: unknown, id: string | undefined, existing: NamedTransformationConfig | undefined): Promise<NamedTransformationConfig> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'The request body must be a JSON object');
  const result = namedTransformationInput.safeParse(existing ? { ...existing, ...body } : body);
  if (!result.success) throw new ApiError(400, validationMessage(result.error));
  const value = result.data;
  try {
    parseTransformation(value.transformation);
  } catch (error) {
    if (error instanceof IkError) throw new ApiError(400, `transformation: ${error.message}`);
    throw error;
  }
  const all = await namedTransformations.list();
  if (all.some((n) => n.id !== id && n.value.name === value.name)) throw new ApiError(409, `name: "${value.name}" is used by another named transformation`);
  if (!existing && all.length >= MAX_NAMED) throw new ApiError(400, `At most ${MAX_NAMED} named transformations are allowed`);
  return { ...value, createdAt: existing?.createdAt ?? new Date().toISOString() };
}

export const manageNamedTransformations = crudHandler<NamedTransformationConfig>({
  noun: 'named transformation',
  collection: namedTransformations,
  list: () => namedTransformations.list(),
  get: (id) => namedTransformations.get(id),
  parse: parseNamed,
  present: (id, value) => ({ id, ...value }),
  checkDelete: () => Promise.resolve(),
});
