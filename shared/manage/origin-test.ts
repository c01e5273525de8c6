import { z } from 'zod';
import { OBJECT_ID } from '../config/collection';
import { origins } from '../config/repositories';
import { fetchLimits } from '../delivery/fetch-original';
import { badParam, IkError, notFound } from '../http/errors';
import { originFor } from '../origins';
import { json, managementHandler, parseBody, readJson } from './api';

const testInput = z.object({ path: z.string().max(2048, 'must be at most 2048 characters').optional() }).strict();

/**
 * `POST /v1/accounts/origins/{id}/test [{path}]`: reads one asset of the origin (or, without `path`, checks that it
 * can be read at all) as delivery would, and answers 200 with a verdict: ok, sas-expired, no-read-permission,
 * container-missing, unreachable, blocked (SSRF guard), and so on. Nothing is cached or delivered.
 */
export const testOriginAccess = managementHandler(async (request, requestId) => {
  const id = request.params.id;
  const row = OBJECT_ID.test(id) ? await origins.get(id) : undefined;
  if (!row) throw notFound(`No origin with id "${id}"`);
  // The body is optional: a bare POST tests the origin as a whole.
  const body = Number(request.headers.get('content-length')) > 0 ? parseBody(testInput, await readJson(request)) : {};
  const path = body.path?.replace(/^\/+/, '') || undefined;
  try {
    const report = await originFor(row.value).test(path, fetchLimits());
    return json(200, { id, type: row.value.type, ok: report.verdict === 'ok', ...report }, requestId);
  } catch (error) {
    if (error instanceof IkError && error.status === 400) throw badParam(`path: ${error.message}`);
    throw error;
  }
});
