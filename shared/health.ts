import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { setTimeout as sleep } from 'node:timers/promises';
import { pingConfigStore } from './config/collection';
import { storageDeadlines } from './storage';

let running: Promise<string | undefined> | undefined;

/** Reasons are the storage error's first line; connection strings and keys are not part of it. */
async function check(): Promise<string | undefined> {
  // The probe's own deadline, one storage try long, holds whatever the storage client does.
  const deadlineMs = storageDeadlines().tryTimeoutMs;
  const timedOut = sleep(deadlineMs, `storage did not answer within ${deadlineMs} ms`, { ref: false });
  try {
    return await Promise.race([pingConfigStore().then(() => undefined), timedOut]);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return `storage unreachable: ${message}`;
  }
}

/**
 * One check at a time, however many probes arrive while it runs; no result is reused after it, so a probe never
 * reports a storage outage that began before it as healthy.
 */
function currentProblem(): Promise<string | undefined> {
  running ??= check().finally(() => {
    running = undefined;
  });
  return running;
}

/** 200 once the app reaches its storage, 503 with the reason otherwise, always within one storage try's timeout. */
export async function health(request: HttpRequest): Promise<HttpResponseInit> {
  const problem = await currentProblem();
  return {
    status: problem === undefined ? 200 : 503,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    body: request.method === 'HEAD' ? undefined : problem === undefined ? 'OK' : `Unavailable: ${problem}`,
  };
}
