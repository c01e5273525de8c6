import type { HttpHandler } from '@azure/functions';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConfigTable } from './config/collection';

/** What is wrong: `reason` is public (the probe is anonymous), `detail` is for the log. */
interface Problem {
  reason: string;
  detail: string;
}

/**
 * 200 once the app reaches its storage, 503 with the reason otherwise, always within `deadlineMs` (one storage
 * try's timeout, STORAGE_TRY_TIMEOUT_MS), whatever the storage client does.
 */
export function createHealthHandler(table: ConfigTable, deadlineMs: number): HttpHandler {
  let running: Promise<Problem | undefined> | undefined;

  const check = async (): Promise<Problem | undefined> => {
    const timedOut = sleep(deadlineMs, { reason: `storage did not answer within ${deadlineMs} ms`, detail: 'the config table did not answer' }, { ref: false });
    try {
      return await Promise.race([table.ping().then(() => undefined), timedOut]);
    } catch (error) {
      return { reason: 'storage unreachable', detail: error instanceof Error ? error.message.split('\n')[0] : String(error) };
    }
  };

  /**
   * One check at a time, however many probes arrive while it runs; no result is reused after it, so a probe never
   * reports a storage outage that began before it as healthy.
   */
  const currentProblem = (): Promise<Problem | undefined> => {
    running ??= check().finally(() => {
      running = undefined;
    });
    return running;
  };

  return async (request, context) => {
    const problem = await currentProblem();
    if (problem) context.warn(`healthz: ${problem.reason}: ${problem.detail}`);
    return {
      status: problem === undefined ? 200 : 503,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
      body: request.method === 'HEAD' ? undefined : problem === undefined ? 'OK' : `Unavailable: ${problem.reason}`,
    };
  };
}
