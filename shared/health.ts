import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { pingConfigStore } from './config/collection';

const CACHE_MS = 5000;
let last: { at: number; problem: string | undefined } | undefined;

/** Reasons are the storage error's message; connection strings and keys are not part of it. */
async function check(): Promise<string | undefined> {
  try {
    await pingConfigStore();
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return `storage unreachable: ${message}`;
  }
}

/** 200 once the app reaches its storage, 503 with the reason otherwise. The result is reused for a few seconds so probes stay cheap. */
export async function health(request: HttpRequest): Promise<HttpResponseInit> {
  if (!last || Date.now() - last.at > CACHE_MS) last = { at: Date.now(), problem: await check() };
  const ok = last.problem === undefined;
  return {
    status: ok ? 200 : 503,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    body: request.method === 'HEAD' ? undefined : ok ? 'OK' : `Unavailable: ${last.problem}`,
  };
}
