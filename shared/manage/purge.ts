import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { purgeTarget } from './purge-target';
import { newId, OBJECT_ID } from '../config/collection';
import { httpUrl } from '../config/schemas';
import { json, managementHandler, parseBody, readJson, type ManageParts } from './api';
import { methodNotAllowed, notFound } from '../http/errors';

const purgeInput = z.object({ url: httpUrl });

/**
 * `POST /v1/files/purge {url}`: removes the renditions at once and, when Front Door is configured, queues the edge
 * purge for the queue-triggered function (the request stays Pending until Front Door finishes).
 * `GET /v1/files/purge/{requestId}`: the status.
 */
export const managePurge = (parts: ManageParts) => managementHandler(parts.authenticate, async (request: HttpRequest, requestId: string): Promise<HttpResponseInit> => {
  const { edgePurge } = parts;
  const id = request.params.requestId;
  if (request.method === 'GET' && id !== undefined) {
    const row = OBJECT_ID.test(id) ? await edgePurge.records.get(id) : undefined;
    if (!row) throw notFound('No purge request with this id');
    return json(200, { status: row.value.status, ...(row.value.error ? { error: row.value.error } : {}) }, requestId);
  }
  if (request.method !== 'POST' || id !== undefined) throw methodNotAllowed(request.method);

  const { url } = parseBody(purgeInput, await readJson(request));
  const target = purgeTarget(url, await parts.config.current());

  await parts.renditions.purge(target.prefix);
  parts.originals.purge(target.prefix);
  const purgeId = newId();
  const edge = edgePurge.configured;
  await edgePurge.records.create(purgeId, { url, status: edge ? 'Pending' : 'Completed', createdAt: new Date().toISOString() });
  if (edge) await edgePurge.enqueue({ requestId: purgeId, paths: target.edgePaths });
  return json(201, { requestId: purgeId }, requestId);
});
