import { HttpRequest, HttpResponse, InvocationContext, type HttpRequestInit, type HttpResponseInit } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { app } from '../shared/app';
import { deliveryErrorResponse } from '../shared/http/errors';
import { pathProblem, unsafePath } from '../shared/security/paths';
import { startUp } from '../shared/startup';
import { EVENT_GRID_WEBHOOK, serveEventGridWebhook } from './event-grid-host';
import { startQueueFunctions } from './queue-host';
import { createRouter, kestrelPath } from './router';

/**
 * Loads every compiled function file, as the Functions host does through package.json `main`. Outside the host,
 * `@azure/functions` warns at each registration that it is in test mode and skips it, and notes that HTTP streaming
 * is on: expected here, since this host routes to the handlers itself and streams as the worker does, so exactly
 * those lines are dropped.
 */
export function loadFunctions(): typeof import('../functions/register') {
  const dir = path.resolve(__dirname, '..', 'functions');
  const { warn, debug } = console;
  console.warn = (...args: unknown[]) => {
    if (!(typeof args[0] === 'string' && args[0].startsWith('WARNING: ') && args[0].includes('"@azure/functions" package'))) warn(...args);
  };
  console.debug = (...args: unknown[]) => {
    if (args[0] !== 'HTTP streaming enabled.') debug(...args);
  };
  try {
    for (const file of fs.readdirSync(dir).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts'))) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- each function file registers itself when loaded, by path, as the Functions host loads them
      require(path.join(dir, file));
    }
  } finally {
    console.warn = warn;
    console.debug = debug;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(dir, 'register')) as typeof import('../functions/register');
}

function toHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** As the Functions front end does: the socket's address appended to any `x-forwarded-for` the client sent. */
function forwardedFor(req: http.IncomingMessage): string {
  return [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
}

/**
 * The request body as a stream the handler pulls from: nothing is read unless the handler reads it, so a request
 * refused first (401, 411, 413 from Content-Length) never costs its body.
 */
function pulledBody(req: http.IncomingMessage): ReadableStream<Uint8Array> {
  const chunks = req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Status, headers and bytes of a handler's result. Plain results with a byte, text or Node stream body (what this
 * app's handlers return) go straight to the socket, a stream as it is read, as the Functions host streams with
 * `enableHttpStream`; anything else goes through `HttpResponse`, as in the host.
 */
async function toWire(result: HttpResponseInit | HttpResponse | void): Promise<{ status: number; headers: Record<string, string>; payload: Buffer | Readable }> {
  const plain = result && !(result instanceof HttpResponse) ? result : undefined;
  const body = plain?.body;
  if (plain && plain.jsonBody === undefined && !plain.cookies && isRecord(plain.headers) && (body === undefined || typeof body === 'string' || body instanceof Uint8Array || body instanceof Readable)) {
    const payload = body === undefined ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body) : body instanceof Readable ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    return { status: plain.status ?? 200, headers: { ...plain.headers }, payload };
  }
  const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  return { status: response.status, headers, payload: Buffer.from(await response.arrayBuffer()) };
}

function isRecord(headers: HttpResponseInit['headers']): headers is Record<string, string> | undefined {
  return headers === undefined || (typeof headers === 'object' && !Array.isArray(headers) && !(headers instanceof Headers));
}

export interface LocalHost {
  url: string;
  close(): Promise<void>;
}

/**
 * A node:http server that hands each request to the same handler the Functions host would call, with the
 * `HttpRequest` and `InvocationContext` classes of `@azure/functions`.
 */
export async function startLocalHost(port: number, host = '127.0.0.1'): Promise<LocalHost> {
  // What the Functions host's appStart hook does: bad settings are logged now, and requests get 503.
  const valid = startUp().length === 0;
  const { httpFunctions, queueFunctions, eventGridFunctions } = loadFunctions();
  const route = createRouter(httpFunctions);
  // Queue triggers poll the app's own storage (the local stand-in for their PURGE_QUEUE_CONNECTION).
  const queues = valid ? startQueueFunctions(queueFunctions, app()) : undefined;
  const server = http.createServer(async (req, res) => {
    try {
      const method = (req.method ?? 'GET').toUpperCase();
      // URL parsing folds `/a/../b` into `/b`; a target that needs folding is refused instead, as delivery refuses
      // a dot segment in any other encoding.
      const rawPath = (req.url ?? '/').split('?')[0];
      const problem = pathProblem(rawPath);
      if (problem) {
        const { status, headers, body } = deliveryErrorResponse(unsafePath(rawPath, 'the request', problem), randomUUID(), app().settings.ERROR_MAX_AGE_SECONDS);
        res.writeHead(status ?? 400, headers as Record<string, string>).end(body as string);
        return;
      }
      // The host's own webhook comes before the app's routes, as in the Functions host.
      if (rawPath.toLowerCase() === EVENT_GRID_WEBHOOK) {
        await serveEventGridWebhook(req, res, new URL(req.url ?? '/', `http://${host}`), eventGridFunctions);
        return;
      }
      // Routed on the path as Kestrel decodes it; a path Kestrel refuses is its empty 400, one no route takes the
      // host's empty 404.
      const decodedPath = kestrelPath(rawPath);
      const matched = decodedPath === undefined ? undefined : route(method, decodedPath);
      if (decodedPath === undefined || !matched) {
        res.writeHead(decodedPath === undefined ? 400 : 404, { 'content-length': '0' }).end();
        return;
      }
      // The target as sent, concatenated rather than resolved. The Functions host rebuilds it from the decoded path
      // instead; signatures allow for that (shared/security/signature.ts).
      const url = new URL(`http://${req.headers.host ?? `${host}:${port}`}${req.url ?? '/'}`);
      // As the Functions host does: a body is passed on only when Content-Length declares one.
      const body = method === 'GET' || method === 'HEAD' || !(Number(req.headers['content-length']) > 0) ? undefined : pulledBody(req);
      const headers = { ...toHeaders(req.headers), 'x-forwarded-for': forwardedFor(req) };
      // `nativeRequest` is how the library itself builds a request around a streamed body; the public init only takes bytes.
      const nativeRequest = new Request(url, { method, headers, body, duplex: 'half' } as RequestInit);
      const request = new HttpRequest({ nativeRequest, params: matched.params } as HttpRequestInit);
      const context = new InvocationContext({ functionName: matched.name, invocationId: randomUUID() });
      const wire = await toWire(await matched.options.handler(request, context));
      const { status, payload } = wire;
      // A streamed body's length is the handler's Content-Length, as in the Functions host.
      if (method !== 'HEAD' && status !== 204 && status !== 304 && Buffer.isBuffer(payload)) wire.headers['content-length'] = String(payload.length);
      // A body left unread must not be drained to keep the connection: close it once the answer is sent.
      if (!req.complete) wire.headers.connection = 'close';
      res.writeHead(status, wire.headers);
      const sent = () => {
        if (!req.complete) req.socket.destroy();
      };
      if (Buffer.isBuffer(payload) || method === 'HEAD') {
        if (!Buffer.isBuffer(payload)) payload.destroy();
        res.end(method === 'HEAD' ? undefined : payload, sent);
      } else {
        // A body that fails midway ends the response early; its Content-Length tells the client.
        pipeline(payload, res).then(sent, () => res.destroy());
      }
    } catch (error) {
      console.error('local host: unhandled error', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal Server Error');
    }
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: async () => {
      await queues?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
