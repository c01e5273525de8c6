const inFlight = new Map<string, Promise<unknown>>();

export interface Shared<T> {
  value: T;
  /** Keep sharing `value` until this settles (for example until it is stored where later callers will find it). */
  holdUntil?: Promise<unknown>;
}

/** Runs `work` once for concurrent callers with the same key in this instance; the others share its result or error. */
export async function coalesce<T>(key: string, work: () => Promise<Shared<T>>): Promise<T> {
  const running = inFlight.get(key) as Promise<Shared<T>> | undefined;
  if (running) return (await running).value;
  const started = work();
  inFlight.set(key, started);
  const release = () => {
    if (inFlight.get(key) === started) inFlight.delete(key);
  };
  try {
    const shared = await started;
    if (shared.holdUntil) void shared.holdUntil.finally(release);
    else release();
    return shared.value;
  } catch (error) {
    release();
    throw error;
  }
}
