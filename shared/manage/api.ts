import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { authenticate } from '../security/manage-auth';
import { isStorageOutage } from '../storage';

/** A management API error: JSON `{ message }` with a status, as ImageKit's API answers. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function json(status: number, body: unknown, requestId: string): HttpResponseInit {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-ik-requestid': requestId, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
}

export async function readJson(request: HttpRequest): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') throw new ApiError(400, 'The request body must be a JSON object');
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'The request body is not valid JSON');
  }
}

/** One message naming every field that failed, for example `sasToken: must start with "?"`. */
export function validationMessage(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ');
}

export type ApiHandler = (request: HttpRequest, requestId: string, log: (message: string) => void) => Promise<HttpResponseInit>;

/** Authenticates, runs the handler, and turns errors into ImageKit-shaped JSON errors. */
export function managementHandler(handler: ApiHandler) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const requestId = randomUUID();
    const denied = authenticate(request);
    if (denied) {
      const response = json(denied.status, { message: denied.message }, requestId);
      return { ...response, headers: { ...(response.headers as Record<string, string>), ...denied.headers } };
    }
    try {
      return await handler(request, requestId, (message) => context.warn(`management ${requestId}: ${message}`));
    } catch (error) {
      if (error instanceof ApiError) return json(error.status, { message: error.message }, requestId);
      if (isStorageOutage(error)) {
        context.warn(`management ${requestId}: configuration store unavailable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        const response = json(503, { message: 'The configuration store is not reachable right now; try again shortly' }, requestId);
        return { ...response, headers: { ...(response.headers as Record<string, string>), 'retry-after': '5' } };
      }
      context.error(`management ${requestId} failed: ${error instanceof Error ? error.stack : String(error)}`);
      return json(500, { message: `Internal error, request id ${requestId}` }, requestId);
    }
  };
}
