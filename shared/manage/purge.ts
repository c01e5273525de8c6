import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { odata } from '@azure/data-tables';
import { z } from 'zod';
import { dependentsOf, forgetDependencies } from '../cache/dependencies';
import { enqueueEdgePurge, purgeRecords as purges, type PurgeRecord } from '../cache/edge-purge';
import { frontDoorConfigured } from '../cache/front-door';
import { purgeOriginals } from '../cache/originals';
import { announcePurges } from '../cache/purge-log';
import { purgeTarget, type PurgeTarget } from './purge-target';
import { forgetRenditions, purgeRenditions } from '../cache/renditions';
import { ensureTable, newId, OBJECT_ID } from '../config/collection';
import { deliveryConfig } from '../config/snapshot';
import { httpUrl } from '../config/schemas';
import { json, managementHandler, parseBody, readJson } from './api';
import { methodNotAllowed, notFound } from '../http/errors';

const purgeInput = z.object({ url: httpUrl });

/** Event-made purges newest first, for `GET /v1/files/purge?source=event`: RowKey is the inverted time, then the id. */
const EVENT_INDEX = 'purgeEventIndex';
const invertedTime = (ms: number) => String(9_999_999_999_999 - ms).padStart(13, '0');
const listQuery = z.object({
  source: z.literal('event', { error: 'must be "event": only purges made by blob events are listed' }),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(20),
});

/**
 * What a purge of one delivery URL does, whoever asks (the API or a blob event): the renditions of the asset and of
 * every asset drawn with it as a layer, in storage and in memory; the originals cache; the other instances' memory
 * through the purge log; Front Door through the purge queue. Returns the purge request's id.
 */
export async function runPurge(url: string, target: PurgeTarget, log: (message: string) => void, event?: PurgeRecord['event']): Promise<string> {
  // This instance stops keeping work in flight at once. Logged before anything is deleted, and dependents read after
  // that: a rendition another instance stores meanwhile is either found here or finds the log entry itself
  // (shared/delivery/layers.ts storeRendition).
  forgetRenditions(target.prefix);
  await announcePurges([target.prefix], log);
  const { dependents, rowKeys } = await dependentsOf(target.prefix);
  const names = dependents.map((d) => d.name);
  await announcePurges(names, log);
  for (const prefix of [target.prefix, ...names]) await purgeRenditions(prefix);
  purgeOriginals(target.prefix);
  await forgetDependencies(rowKeys);
  const purgeId = newId();
  const edge = frontDoorConfigured();
  const createdAt = new Date().toISOString();
  await purges.create(purgeId, { url, status: edge ? 'Pending' : 'Completed', createdAt, ...(event ? { event } : {}) });
  if (event) {
    const table = await ensureTable();
    await table.upsertEntity({ partitionKey: EVENT_INDEX, rowKey: `${invertedTime(Date.parse(createdAt))}-${purgeId}`, id: purgeId }, 'Replace');
  }
  if (edge) await enqueueEdgePurge({ requestId: purgeId, paths: [...new Set([...target.edgePaths, ...dependents.map((d) => d.edgePath)])] });
  return purgeId;
}

/** The latest event-made purges, each with its current status. */
async function listEventPurges(limit: number): Promise<unknown[]> {
  const table = await ensureTable();
  const ids: string[] = [];
  const filter = odata`PartitionKey eq ${EVENT_INDEX}`;
  for await (const page of table.listEntities<{ id: string }>({ queryOptions: { filter, select: ['id'] } }).byPage({ maxPageSize: limit })) {
    ids.push(...page.map((row) => row.id));
    break;
  }
  const rows = await Promise.all(ids.slice(0, limit).map((id) => purges.get(id)));
  return rows.flatMap((row) => (row ? [{ requestId: row.id, ...row.value }] : []));
}

/**
 * `POST /v1/files/purge {url}`: removes the renditions at once and, when Front Door is configured, queues the edge
 * purge for the queue-triggered function (the request stays Pending until Front Door finishes).
 * `GET /v1/files/purge/{requestId}`: the status. `GET /v1/files/purge?source=event&limit=N`: the latest purges that
 * blob events made (docs/invalidation.md).
 */
export const managePurge = managementHandler(async (request: HttpRequest, requestId: string, log): Promise<HttpResponseInit> => {
  const id = request.params.requestId;
  if (request.method === 'GET' && id !== undefined) {
    const row = OBJECT_ID.test(id) ? await purges.get(id) : undefined;
    if (!row) throw notFound('No purge request with this id');
    return json(200, { status: row.value.status, ...(row.value.error ? { error: row.value.error } : {}) }, requestId);
  }
  if (request.method === 'GET') {
    const query = parseBody(listQuery, Object.fromEntries(request.query.entries()));
    return json(200, { purges: await listEventPurges(query.limit) }, requestId);
  }
  if (request.method !== 'POST' || id !== undefined) throw methodNotAllowed(request.method);

  const { url } = parseBody(purgeInput, await readJson(request));
  const target = purgeTarget(url, await deliveryConfig());
  return json(201, { requestId: await runPurge(url, target, log) }, requestId);
});
