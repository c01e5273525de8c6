import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { enqueueEdgePurge, purgeRecords as purges } from '../cache/edge-purge';
import { frontDoorConfigured } from '../cache/front-door';
import { purgeOriginals } from '../cache/originals';
import { purgeTarget } from './purge-target';
import { purgeRenditions } from '../cache/renditions';
import { newId, OBJECT_ID } from '../config/collection';
import { deliveryConfig } from '../config/snapshot';
import { httpUrl } from '../config/schemas';
import { json, managementHandler, parseBody, readJson } from './api';
import { methodNotAllowed, notFound } from '../http/errors';

const purgeInput = z.object({ url: httpUrl });

/**
 * `POST /v1/files/purge {url}`: removes the renditions at once and, when Front Door is configured, queues the edge
 * purge for the queue-triggered function (the request stays Pending until Front Door finishes).
 * `GET /v1/files/purge/{requestId}`: the status.
 */
export const managePurge = managementHandler(async (request: HttpRequest, requestId: string): Promise<HttpResponseInit> => {
  const id = request.params.requestId;
  if (request.method === 'GET' && id !== undefined) {
    const row = OBJECT_ID.test(id) ? await purges.get(id) : undefined;
    if (!row) throw notFound('No purge request with this id');
    return json(200, { status: row.value.status, ...(row.value.error ? { error: row.value.error } : {}) }, requestId);
  }
  if (request.method !== 'POST' || id !== undefined) throw methodNotAllowed(request.method);

  const { url } = parseBody(purgeInput, await readJson(request));
  const target = purgeTarget(url, await deliveryConfig());

  await purgeRenditions(target.prefix);
  purgeOriginals(target.prefix);
  const purgeId = newId();
  const edge = frontDoorConfigured();
  await purges.create(purgeId, { url, status: edge ? 'Pending' : 'Completed', createdAt: new Date().toISOString() });
  if (edge) await enqueueEdgePurge({ requestId: purgeId, paths: target.edgePaths });
  return json(201, { requestId: purgeId }, requestId);
});
