import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { frontDoorConfigured, purgeFrontDoor } from '../cache/front-door';
import { purgeOriginals } from '../cache/originals';
import { purgeTarget } from '../cache/purge-target';
import { purgeRenditions } from '../cache/renditions';
import { Collection, newId, OBJECT_ID } from '../config/collection';
import { deliveryConfig } from '../config/snapshot';
import { EDGE_HINT_SEGMENT } from '../delivery/edge-hint';
import { httpUrl } from '../config/schemas';
import { ApiError, json, managementHandler, parseBody, readJson } from './api';

interface PurgeRecord {
  url: string;
  status: 'Pending' | 'Completed';
  createdAt: string;
  /** Why the edge purge failed, when it did; the renditions were removed all the same. */
  error?: string;
}

const purges = new Collection<PurgeRecord>('purge');
const purgeInput = z.object({ url: httpUrl });

async function finishEdgePurge(id: string, edgePaths: string[], log: (m: string) => void): Promise<void> {
  let error: string | undefined;
  try {
    // Auto-format requests are cached at the edge under the rewritten hint paths too.
    await purgeFrontDoor(edgePaths.flatMap((path) => [path, `/${EDGE_HINT_SEGMENT}/avif${path}`, `/${EDGE_HINT_SEGMENT}/webp${path}`]));
  } catch (e) {
    error = `Front Door purge failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
    log(error);
  }
  const row = await purges.get(id);
  if (row) await purges.replace(id, { ...row.value, status: 'Completed', error }, row.etag);
}

/**
 * `POST /v1/files/purge {url}`: removes the renditions at once, then purges Front Door when it is configured
 * (the request stays Pending until Front Door finishes). `GET /v1/files/purge/{requestId}`: the status.
 */
export const managePurge = managementHandler(async (request: HttpRequest, requestId: string, log): Promise<HttpResponseInit> => {
  const id = request.params.requestId;
  if (request.method === 'GET' && id !== undefined) {
    const row = OBJECT_ID.test(id) ? await purges.get(id) : undefined;
    if (!row) throw new ApiError(404, 'No purge request with this id');
    return json(200, { status: row.value.status, ...(row.value.error ? { error: row.value.error } : {}) }, requestId);
  }
  if (request.method !== 'POST' || id !== undefined) throw new ApiError(405, `${request.method} is not allowed here`);

  const { url } = parseBody(purgeInput, await readJson(request));
  const target = purgeTarget(url, await deliveryConfig());
  if (typeof target === 'string') throw new ApiError(400, target);

  await purgeRenditions(target.prefix);
  purgeOriginals(target.prefix);
  const purgeId = newId();
  const edge = frontDoorConfigured();
  await purges.create(purgeId, { url, status: edge ? 'Pending' : 'Completed', createdAt: new Date().toISOString() });
  if (edge) void finishEdgePurge(purgeId, target.edgePaths, log);
  return json(201, { requestId: purgeId }, requestId);
});
