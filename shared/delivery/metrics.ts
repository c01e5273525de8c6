/** Per-instance counters of the expensive steps, read by tests and the benchmark to prove work is not repeated. */
export const deliveryCounters = {
  originFetches: 0,
  transforms: 0,
  /** Originals decoded; a rendition whose decoded original was in memory does not count. */
  decodes: 0,
};

/** Collects durations for the `Server-Timing` response header. */
export class ServerTiming {
  private readonly entries: string[] = [];

  async measure<T>(name: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.entries.push(`${name};dur=${(performance.now() - start).toFixed(1)}`);
    }
  }

  header(): string {
    return this.entries.join(', ');
  }
}
