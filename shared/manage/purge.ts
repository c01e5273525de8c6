import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { odata } from '@azure/data-tables';
import { z } from 'zod';
import type { PurgeRecord } from '../cache/edge-purge';
import { purgeTarget, type PurgeTarget } from './purge-target';
import { newId, OBJECT_ID } from '../config/collection';
import { httpUrl } from '../config/schemas';
import { json, managementHandler, parseBody, readJson, type ManageParts } from './api';
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
export async function runPurge(parts: ManageParts, url: string, target: PurgeTarget, log: (message: string) => void, event?: PurgeRecord['event']): Promise<string> {
  const { purgeLog, dependencies, edgePurge } = parts;
  // This instance stops keeping work in flight at once. Logged before anything is deleted, and dependents read after
  // that: a rendition another instance stores meanwhile is either found here or finds the log entry itself
  // (shared/delivery/layers.ts storeRendition).
  parts.renditions.forget(target.prefix);
  await purgeLog.announce([target.prefix], log);
  const { dependents, rowKeys } = await dependencies.dependentsOf(target.prefix);
  const names = dependents.map((d) => d.name);
  await purgeLog.announce(names, log);
  for (const prefix of [target.prefix, ...names]) await parts.renditions.purge(prefix);
  parts.originals.purge(target.prefix);
  await dependencies.forget(rowKeys);
  const purgeId = newId();
  const edge = edgePurge.configured;
  const createdAt = new Date().toISOString();
  await edgePurge.records.create(purgeId, { url, status: edge ? 'Pending' : 'Completed', createdAt, ...(event ? { event } : {}) });
  if (event) {
    const table = await parts.configTable.ready();
    await table.upsertEntity({ partitionKey: EVENT_INDEX, rowKey: `${invertedTime(Date.parse(createdAt))}-${purgeId}`, id: purgeId }, 'Replace');
  }
  if (edge) await edgePurge.enqueue({ requestId: purgeId, paths: [...new Set([...target.edgePaths, ...dependents.map((d) => d.edgePath)])] });
  return purgeId;
}

/** The latest event-made purges, each with its current status. */
async function listEventPurges(parts: ManageParts, limit: number): Promise<unknown[]> {
  const table = await parts.configTable.ready();
  const ids: string[] = [];
  const filter = odata`PartitionKey eq ${EVENT_INDEX}`;
  for await (const page of table.listEntities<{ id: string }>({ queryOptions: { filter, select: ['id'] } }).byPage({ maxPageSize: limit })) {
    ids.push(...page.map((row) => row.id));
    break;
  }
  const rows = await Promise.all(ids.slice(0, limit).map((id) => parts.edgePurge.records.get(id)));
  return rows.flatMap((row) => (row ? [{ requestId: row.id, ...row.value }] : []));
}

/**
 * `POST /v1/files/purge {url}`: removes the renditions at once and, when Front Door is configured, queues the edge
 * purge for the queue-triggered function (the request stays Pending until Front Door finishes).
 * `GET /v1/files/purge/{requestId}`: the status. `GET /v1/files/purge?source=event&limit=N`: the latest purges that
 * blob events made (docs/invalidation.md).
 */
export const managePurge = (parts: ManageParts) => managementHandler(parts.authenticate, async (request: HttpRequest, requestId: string, log): Promise<HttpResponseInit> => {
  const id = request.params.requestId;
  if (request.method === 'GET' && id !== undefined) {
    const row = OBJECT_ID.test(id) ? await parts.edgePurge.records.get(id) : undefined;
    if (!row) throw notFound('No purge request with this id');
    return json(200, { status: row.value.status, ...(row.value.error ? { error: row.value.error } : {}) }, requestId);
  }
  if (request.method === 'GET') {
    const query = parseBody(listQuery, Object.fromEntries(request.query.entries()));
    return json(200, { purges: await listEventPurges(parts, query.limit) }, requestId);
  }
  if (request.method !== 'POST' || id !== undefined) throw methodNotAllowed(request.method);

  const { url } = parseBody(purgeInput, await readJson(request));
  const target = purgeTarget(url, await parts.config.current());
  return json(201, { requestId: await runPurge(parts, url, target, log) }, requestId);
});
