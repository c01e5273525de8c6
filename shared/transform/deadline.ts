import { AsyncLocalStorage } from 'node:async_hooks';
import { transformTimedOut } from '../http/errors';
import { retryAfterSeconds } from '../security/transform-limiter';

interface Job {
  /** Epoch milliseconds by which the whole job must be done. */
  deadline: number;
  seconds: number;
}

// The job's deadline follows its async work, so every sharp pipeline, however deep in the steps, gets what is left.
const current = new AsyncLocalStorage<Job>();

export const timedOut = (seconds: number) =>
  transformTimedOut(`The transformation took longer than TRANSFORM_TIMEOUT_SECONDS (${seconds} s); try again shortly, or ask for a smaller result`, retryAfterSeconds());

/** Runs `work` as one job with one deadline: decode, every step and the encode share `seconds`. */
export function withDeadline<T>(seconds: number, work: () => Promise<T>): Promise<T> {
  return current.run({ deadline: Date.now() + seconds * 1000, seconds }, work);
}

/**
 * The timeout for a sharp pipeline starting now: what is left of the job's time, in whole seconds as libvips
 * counts them (0 would mean none, so at least 1). Throws when the time is up; outside a job there is no limit.
 */
export function remainingTimeout(): { seconds: number } {
  const job = current.getStore();
  if (!job) return { seconds: 0 };
  const left = job.deadline - Date.now();
  if (left <= 0) throw timedOut(job.seconds);
  return { seconds: Math.ceil(left / 1000) };
}

