import { IkError } from '../http/errors';
import { settings } from '../settings';

/** A job admitted to decode and encode: it holds one slot and its reserved bytes until released. */
export interface Admission {
  /**
   * Raises the job's reservation to `bytes` when more than it holds (a step's estimated peak, not an addition).
   * Never waits, so two growing jobs cannot wait on each other: 503 when the rest of the budget cannot give it,
   * 400 ELIMIT when the job alone needs more than the whole budget.
   */
  reserve(bytes: number): void;
  release(): void;
}

interface Waiter {
  bytes: number;
  start(): void;
  timer: NodeJS.Timeout;
}

let running = 0;
let reserved = 0;
const queue: Waiter[] = [];

const budget = () => settings().MEMORY_BUDGET_MB * 2 ** 20;
const mb = (bytes: number) => Math.ceil(bytes / 2 ** 20);

/** 503 that no cache keeps, with Retry-After: the next try may well succeed. */
export function retryLater(code: string, message: string): IkError {
  const retryAfter = Math.max(1, Math.ceil(settings().QUEUE_TIMEOUT_MS / 1000));
  return new IkError(503, code, message, { headers: { 'retry-after': String(retryAfter), 'cache-control': 'no-store' } });
}

function overBudget(bytes: number): IkError {
  const s = settings();
  return new IkError(400, 'ELIMIT', `The transformation needs about ${mb(bytes)} MB of memory, more than MEMORY_BUDGET_MB (${s.MEMORY_BUDGET_MB}); ask for a smaller result`);
}

const fits = (bytes: number) => running < settings().MAX_CONCURRENT_TRANSFORMS && reserved + bytes <= budget();

/** Starts waiters in strict arrival order: a large job at the head is not overtaken, so it cannot starve. */
function startWaiting(): void {
  while (queue.length > 0 && fits(queue[0].bytes)) {
    const next = queue.shift()!;
    clearTimeout(next.timer);
    next.start();
  }
}

function admission(initial: number): Admission {
  let held = initial;
  let released = false;
  return {
    reserve(bytes) {
      if (released || bytes <= held) return;
      if (bytes > budget()) throw overBudget(bytes);
      if (reserved + bytes - held > budget()) throw retryLater('EBUSY', `Not enough memory free for this transformation (${mb(bytes)} MB); try again shortly`);
      reserved += bytes - held;
      held = bytes;
    },
    release() {
      if (released) return;
      released = true;
      running--;
      reserved -= held;
      startWaiting();
    },
  };
}

/**
 * Admits a job whose estimated peak is `bytes` when fewer than MAX_CONCURRENT_TRANSFORMS run in this instance and
 * the running jobs' reservations leave room in MEMORY_BUDGET_MB. Otherwise it waits, in arrival order, with at most
 * MAX_QUEUED_TRANSFORMS others and for at most QUEUE_TIMEOUT_MS; beyond that 503 EBUSY with Retry-After. A job
 * over the whole budget is 400 ELIMIT at once. So a burst costs bounded memory and CPU, not an out-of-memory crash.
 */
export function admitTransform(bytes: number): Promise<Admission> {
  const s = settings();
  if (bytes > budget()) return Promise.reject(overBudget(bytes));
  const start = () => {
    running++;
    reserved += bytes;
    return admission(bytes);
  };
  if (queue.length === 0 && fits(bytes)) return Promise.resolve(start());
  if (queue.length >= s.MAX_QUEUED_TRANSFORMS) return Promise.reject(retryLater('EBUSY', 'Too many transformations are waiting; try again shortly'));
  return new Promise<Admission>((resolve, reject) => {
    const waiter: Waiter = {
      bytes,
      start: () => resolve(start()),
      timer: setTimeout(() => {
        queue.splice(queue.indexOf(waiter), 1);
        // Those behind a large job that gave up may fit now.
        startWaiting();
        reject(retryLater('EBUSY', `No transformation slot and memory freed within ${s.QUEUE_TIMEOUT_MS} ms; try again shortly`));
      }, s.QUEUE_TIMEOUT_MS),
    };
    queue.push(waiter);
  });
}
