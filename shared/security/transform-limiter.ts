import { IkError } from '../http/errors';
import { settings } from '../settings';

interface Waiter {
  start(): void;
  timer: NodeJS.Timeout;
}

let running = 0;
const queue: Waiter[] = [];

function overloaded(message: string): IkError {
  const retryAfter = Math.max(1, Math.ceil(settings().QUEUE_TIMEOUT_MS / 1000));
  // Not cached anywhere: the next try may well succeed.
  return new IkError(503, 'EBUSY', message, { headers: { 'retry-after': String(retryAfter), 'cache-control': 'no-store' } });
}

function release(): void {
  const next = queue.shift();
  if (next) {
    clearTimeout(next.timer);
    next.start();
  } else {
    running--;
  }
}

/** Waits for a slot, in arrival order; a slot that frees passes straight to the next waiter. */
function acquire(): Promise<void> {
  const s = settings();
  if (running < s.MAX_CONCURRENT_TRANSFORMS) {
    running++;
    return Promise.resolve();
  }
  if (queue.length >= s.MAX_QUEUED_TRANSFORMS) return Promise.reject(overloaded('Too many transformations are waiting; try again shortly'));
  return new Promise<void>((resolve, reject) => {
    const waiter: Waiter = {
      start: resolve,
      timer: setTimeout(() => {
        queue.splice(queue.indexOf(waiter), 1);
        reject(overloaded(`No transformation slot freed within ${s.QUEUE_TIMEOUT_MS} ms; try again shortly`));
      }, s.QUEUE_TIMEOUT_MS),
    };
    queue.push(waiter);
  });
}

/**
 * Runs a transform when fewer than MAX_CONCURRENT_TRANSFORMS run in this instance. Up to
 * MAX_QUEUED_TRANSFORMS wait, each at most QUEUE_TIMEOUT_MS; the rest get 503 with Retry-After, so a burst
 * costs bounded memory and CPU instead of an out-of-memory crash.
 */
export async function limitTransform<T>(transform: () => Promise<T>): Promise<T> {
  await acquire();
  try {
    return await transform();
  } finally {
    release();
  }
}

