const inFlight = new Map<string, Promise<unknown>>();

export interface Shared<T> {
  value: T;
  /** Keep sharing `value` until this settles (for example until it is stored where later callers will find it). */
  holdUntil?: Promise<unknown>;
}

/**
 * Runs `work` once for concurrent callers with the same key in this instance; the others share its result or
 * error. `joined` tells a caller it received another caller's result.
 */
export async function coalesce<T>(key: string, work: () => Promise<Shared<T>>): Promise<{ value: T; joined: boolean }> {
  const running = inFlight.get(key) as Promise<Shared<T>> | undefined;
  if (running) return { value: (await running).value, joined: true };
  const started = work();
  inFlight.set(key, started);
  const release = () => {
    if (inFlight.get(key) === started) inFlight.delete(key);
  };
  try {
    const shared = await started;
    if (shared.holdUntil) void shared.holdUntil.finally(release);
    else release();
    return { value: shared.value, joined: false };
  } catch (error) {
    release();
    throw error;
  }
}
