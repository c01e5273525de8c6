import { InvocationContext, type EventGridFunctionOptions } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { firstLine } from '../shared/http/errors';

/** The Functions host's Event Grid webhook path; the function is named by `?functionName=`. */
export const EVENT_GRID_WEBHOOK = '/runtime/webhooks/eventgrid';

/** Event Grid delivers at most 1 MB per request (a batch of events included). */
const MAX_BODY_BYTES = 1024 * 1024 + 64 * 1024;

/**
 * The Functions host keeps this webhook behind its system key; the local host has no keys, so it answers only
 * callers on this machine.
 */
function fromLoopback(req: http.IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function send(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }), 'content-length': String(Buffer.byteLength(payload)), ...headers });
  res.end(payload);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Events in a delivery: an Event Grid schema array, a CloudEvents batch array, or one CloudEvent. */
function eventsOf(body: unknown): Record<string, unknown>[] | undefined {
  const list = Array.isArray(body) ? body : [body];
  return list.every((e) => typeof e === 'object' && e !== null && !Array.isArray(e)) ? (list as Record<string, unknown>[]) : undefined;
}

const VALIDATION_EVENT = 'Microsoft.EventGrid.SubscriptionValidationEvent';

/**
 * `POST /runtime/webhooks/eventgrid?functionName=<name>` as the Functions host answers it: the subscription
 * validation handshake of both schemas (Event Grid's validation event, CloudEvents' OPTIONS with
 * WebHook-Request-Origin), then each delivered event handed to the function, one invocation per event. Answers 200
 * with what the events did (`received`, `purged`, `ignored` by reason, distinct `purgeRequests`), or 500 when one failed, so Event Grid retries.
 */
export async function serveEventGridWebhook(req: http.IncomingMessage, res: http.ServerResponse, url: URL, functions: Map<string, EventGridFunctionOptions>): Promise<void> {
  if (!fromLoopback(req)) return send(res, 403, { message: 'The local Event Grid webhook answers only callers on this machine' });
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'OPTIONS') {
    const origin = req.headers['webhook-request-origin'];
    if (typeof origin !== 'string' || origin === '') return send(res, 400, { message: 'OPTIONS needs the WebHook-Request-Origin header (CloudEvents validation)' });
    return send(res, 200, undefined, { 'webhook-allowed-origin': origin, 'webhook-allowed-rate': '*', allow: 'POST, OPTIONS' });
  }
  if (method !== 'POST') return send(res, 405, { message: `${method} is not allowed here` }, { allow: 'POST, OPTIONS' });
  const name = url.searchParams.get('functionName') ?? '';
  const options = [...functions].find(([candidate]) => candidate.toLowerCase() === name.toLowerCase())?.[1];
  if (!options) return send(res, 404, { message: `functionName: no Event Grid function named "${name}"` });
  const body = await readBody(req);
  if (!body) return send(res, 413, { message: `The body is larger than ${MAX_BODY_BYTES} bytes` }, { connection: 'close' });
  let events: Record<string, unknown>[] | undefined;
  try {
    events = eventsOf(JSON.parse(body.toString('utf8')));
  } catch {
    events = undefined;
  }
  if (!events || events.length === 0) return send(res, 400, { message: 'The body must be an event, or a JSON array of events' });

  const validation = events.find((e) => e.eventType === VALIDATION_EVENT);
  if (validation) {
    const code = (validation.data as { validationCode?: unknown } | undefined)?.validationCode;
    if (typeof code !== 'string') return send(res, 400, { message: 'data.validationCode: missing from the validation event' });
    return send(res, 200, { validationResponse: code });
  }

  const summary = { received: events.length, purged: 0, ignored: 0, ignoredBy: {} as Record<string, number>, failed: 0, purgeRequests: 0 };
  const requests = new Set<string>();
  const results = await Promise.allSettled(
    events.map(async (event) => {
      const context = new InvocationContext({ functionName: name, invocationId: randomUUID() });
      return (await options.handler(event as never, context)) as { purged?: string[]; ignored?: string } | undefined;
    }),
  );
  for (const result of results) {
    if (result.status === 'rejected') {
      summary.failed++;
      console.warn(`local host: event grid function ${name}: ${firstLine(result.reason)}`);
    } else if (result.value?.ignored) {
      summary.ignored++;
      summary.ignoredBy[result.value.ignored] = (summary.ignoredBy[result.value.ignored] ?? 0) + 1;
    } else if (result.value?.purged) {
      summary.purged++;
      for (const id of result.value.purged) requests.add(id);
    }
  }
  // Events for one blob waiting together share one purge: fewer purge requests than purged events.
  summary.purgeRequests = requests.size;
  send(res, summary.failed > 0 ? 500 : 200, summary);
}
