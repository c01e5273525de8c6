import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { RenditionDependencies } from '../cache/dependencies';
import type { EdgePurge } from '../cache/edge-purge';
import type { OriginalsCache } from '../cache/originals';
import type { PurgeLog } from '../cache/purge-log';
import type { RenditionCache } from '../cache/renditions';
import type { ConfigTable } from '../config/collection';
import type { Repositories } from '../config/repositories';
import type { ConfigSnapshot } from '../config/snapshot';
import type { FetchLimits } from '../origins/types';
import type { Authenticator } from '../security/manage-auth';
import { isStorageOutage } from '../storage';
import { badParam, bodyTooLarge, IkError, lengthRequired } from '../http/errors';

/** Every management request body is a small JSON object; the largest valid one is a few kB. */
export const MAX_BODY_BYTES = 64 * 1024;

const tooLarge = () => bodyTooLarge(`The request body is larger than ${MAX_BODY_BYTES} bytes`);

export function json(status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-ik-requestid': requestId, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
}

/** The body's bytes, never more than the cap whatever Content-Length declared: past it, 413. */
async function readCapped(request: HttpRequest): Promise<Buffer> {
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = (await reader.read()) as ReadableStreamReadResult<Uint8Array>;
    if (done) return Buffer.concat(chunks);
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
}

/**
 * The JSON body a write needs. The Functions host passes a body on only when the request declares a
 * Content-Length above 0, so one sent without it (chunked) would arrive empty: it is refused with 411 by name.
 */
export async function readJson(request: HttpRequest): Promise<unknown> {
  if (request.headers.get('content-length') === null) {
    throw lengthRequired('Length Required: send the body with a Content-Length header; a body without one (Transfer-Encoding: chunked) does not reach this API');
  }
  const bytes = await readCapped(request);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badParam('The request body is not valid UTF-8');
  }
  if (text.trim() === '') throw badParam('The request body must be a JSON object');
  try {
    return JSON.parse(text);
  } catch {
    throw badParam('The request body is not valid JSON');
  }
}

/** One message naming every field that failed, for example `sasToken: must start with "?"`. */
export function validationMessage(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ');
}

/** A request body checked against a schema; 400 naming each field that fails. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badParam('The request body must be a JSON object');
  const result = schema.safeParse(body);
  if (!result.success) throw badParam(validationMessage(result.error));
  return result.data;
}

/**
 * A page's script that signs in itself (the web console) says so, as Spring Security's clients do: a Basic challenge
 * would make its browser open its own sign-in dialog.
 */
const scriptCall = (request: HttpRequest) => request.headers.get('x-requested-with')?.toLowerCase() === 'xmlhttprequest';

function withoutChallenge(headers: Record<string, string>): Record<string, string> {
  const { 'www-authenticate': _challenge, ...rest } = headers;
  return rest;
}

/** What the management API is built from: the parts the app makes once from its settings (shared/app). */
export interface ManageParts {
  /** Checks the private API key (PRIVATE_API_KEY). */
  authenticate: Authenticator;
  /** Purge requests made by blob events are indexed there too. */
  configTable: ConfigTable;
  repositories: Repositories;
  /** Dropped after every write, so this instance's deliveries see it at once. */
  config: ConfigSnapshot;
  renditions: RenditionCache;
  originals: OriginalsCache;
  dependencies: RenditionDependencies;
  purgeLog: PurgeLog;
  edgePurge: EdgePurge;
  /** An origin test reads as delivery would. */
  fetchLimits: FetchLimits;
}

export type ApiHandler = (request: HttpRequest, requestId: string, log: (message: string) => void) => Promise<HttpResponseInit>;

/**
 * Authenticates, refuses a declared body over the cap, runs the handler, and turns errors into ImageKit-shaped JSON
 * errors. Both checks come before any byte of the body is read.
 */
export function managementHandler(authenticate: Authenticator, handler: ApiHandler) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const requestId = randomUUID();
    const denied = authenticate(request);
    if (denied) return json(denied.status, { message: denied.message }, requestId, scriptCall(request) ? withoutChallenge(denied.headers) : denied.headers);
    try {
      if (Number(request.headers.get('content-length')) > MAX_BODY_BYTES) throw tooLarge();
      return await handler(request, requestId, (message) => context.warn(`management ${requestId}: ${message}`));
    } catch (error) {
      // ImageKit's API answers JSON `{ message }` with the status; the ik-error code is delivery's header.
      if (error instanceof IkError) return json(error.status, { message: error.message }, requestId);
      if (isStorageOutage(error)) {
        context.warn(`management ${requestId}: configuration store unavailable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        return json(503, { message: 'The configuration store is not reachable right now; try again shortly' }, requestId, { 'retry-after': '5' });
      }
      context.error(`management ${requestId} failed: ${error instanceof Error ? error.stack : String(error)}`);
      return json(500, { message: `Internal error, request id ${requestId}` }, requestId);
    }
  };
}
