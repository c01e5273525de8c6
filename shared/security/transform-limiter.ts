import { AsyncLocalStorage } from 'node:async_hooks';
import { busy, overLimit, type IkError } from '../http/errors';

/** A job admitted to a pool: it holds one slot and its reserved bytes until released. */
export interface Admission {
  /**
   * Raises the job's reservation to `bytes` when more than it holds (a step's estimated peak, not an addition).
   * Never waits, so two growing jobs cannot wait on each other: 503 when the rest of the budget cannot give it,
   * 400 ELIMIT when the job alone needs more than the whole budget.
   */
  reserve(bytes: number): void;
  release(): void;
}

/** What bounds one pool. */
interface PoolLimits {
  slots: number;
  budgetBytes: number;
  /** The setting that sets the budget, named in errors. */
  budgetSetting: string;
  maxQueued: number;
  timeoutMs: number;
}

interface Waiter {
  bytes: number;
  start(): void;
  timer: NodeJS.Timeout;
}

const mb = (bytes: number) => Math.ceil(bytes / 2 ** 20);

/**
 * When the current request's waiting must end (epoch ms). A request may wait for download memory and then for a
 * transform slot; both waits count against one QUEUE_TIMEOUT_MS from its arrival, so an overloaded instance answers
 * within one queue timeout plus one transform, not two.
 */
const waitDeadline = new AsyncLocalStorage<number>();

/** Seconds a client told to try again later waits: about as long as a job may wait for a slot. */
const retryAfter = (queueTimeoutMs: number) => Math.max(1, Math.ceil(queueTimeoutMs / 1000));

/**
 * Jobs admitted while fewer than `slots` run and their reservations leave room in the budget. Others wait, in
 * arrival order, with at most `maxQueued` others and for at most `timeoutMs`; beyond that 503 EBUSY with
 * Retry-After. A job over the whole budget is 400 ELIMIT at once.
 */
class AdmissionPool {
  private running = 0;
  private reserved = 0;
  private readonly queue: Waiter[] = [];

  constructor(
    /** What a job is, for messages: "transformation", "download". */
    private readonly noun: string,
    private readonly limits: PoolLimits,
  ) {}

  private get retryAfterSeconds(): number {
    return retryAfter(this.limits.timeoutMs);
  }

  private overBudget(bytes: number): IkError {
    const { budgetSetting, budgetBytes } = this.limits;
    return overLimit(`The ${this.noun} needs about ${mb(bytes)} MB of memory, more than ${budgetSetting} (${mb(budgetBytes)}); ask for a smaller result`);
  }

  private fits(bytes: number): boolean {
    const { slots, budgetBytes } = this.limits;
    return this.running < slots && this.reserved + bytes <= budgetBytes;
  }

  /** Starts waiters in strict arrival order: a large job at the head is not overtaken, so it cannot starve. */
  private startWaiting(): void {
    while (this.queue.length > 0 && this.fits(this.queue[0].bytes)) {
      const next = this.queue.shift()!;
      clearTimeout(next.timer);
      next.start();
    }
  }

  private admission(initial: number): Admission {
    let held = initial;
    let released = false;
    return {
      reserve: (bytes) => {
        if (released || bytes <= held) return;
        if (bytes > this.limits.budgetBytes) throw this.overBudget(bytes);
        if (this.reserved + bytes - held > this.limits.budgetBytes) throw busy(`Not enough memory free for this ${this.noun} (${mb(bytes)} MB); try again shortly`, this.retryAfterSeconds);
        this.reserved += bytes - held;
        held = bytes;
      },
      release: () => {
        if (released) return;
        released = true;
        this.running--;
        this.reserved -= held;
        this.startWaiting();
      },
    };
  }

  admit(bytes: number): Promise<Admission> {
    const { budgetBytes, maxQueued, timeoutMs } = this.limits;
    if (bytes > budgetBytes) return Promise.reject(this.overBudget(bytes));
    const start = () => {
      this.running++;
      this.reserved += bytes;
      return this.admission(bytes);
    };
    if (this.queue.length === 0 && this.fits(bytes)) return Promise.resolve(start());
    if (this.queue.length >= maxQueued) return Promise.reject(busy(`Too many ${this.noun}s are waiting; try again shortly`, this.retryAfterSeconds));
    const waitMs = Math.min(timeoutMs, (waitDeadline.getStore() ?? Infinity) - Date.now());
    const gaveUp = () => busy(`No ${this.noun} slot and memory freed within ${timeoutMs} ms; try again shortly`, this.retryAfterSeconds);
    if (waitMs <= 0) return Promise.reject(gaveUp());
    return new Promise<Admission>((resolve, reject) => {
      const waiter: Waiter = {
        bytes,
        start: () => resolve(start()),
        timer: setTimeout(() => {
          this.queue.splice(this.queue.indexOf(waiter), 1);
          // Those behind a large job that gave up may fit now.
          this.startWaiting();
          reject(gaveUp());
        }, waitMs),
      };
      this.queue.push(waiter);
    });
  }
}

/** MAX_CONCURRENT_TRANSFORMS, MAX_QUEUED_TRANSFORMS, QUEUE_TIMEOUT_MS, MEMORY_BUDGET_MB and DOWNLOAD_BUDGET_MB. */
export interface LimiterOptions {
  maxConcurrentTransforms: number;
  maxQueuedTransforms: number;
  queueTimeoutMs: number;
  memoryBudgetMb: number;
  downloadBudgetMb: number;
}

/** The memory one request's downloads (its original, its layers) hold, from before their bodies are read until it ends. */
export interface DownloadMemory {
  /** Adds `bytes` to what the request holds; the first call may wait for room in DOWNLOAD_BUDGET_MB, later ones never do. */
  reserve(bytes: number): Promise<void>;
  release(): void;
}

/** One instance's admission of transformations and downloads. */
export interface TransformLimiter {
  /**
   * Admits a transformation whose estimated peak is `bytes` when fewer than MAX_CONCURRENT_TRANSFORMS run in this
   * instance and the running jobs' reservations leave room in MEMORY_BUDGET_MB; it waits as `AdmissionPool` says. So
   * a burst costs bounded memory and CPU, not an out-of-memory crash.
   */
  admitTransform(bytes: number): Promise<Admission>;
  /**
   * A request's share of DOWNLOAD_BUDGET_MB. Only bodies are counted: a lookup that finds nothing (a 404) reserves
   * nothing and never waits, and neither does a request served from a cache.
   */
  downloadMemory(): DownloadMemory;
  /** Seconds a client told to try again later waits. */
  retryAfterSeconds: number;
  /** Runs one request: every wait for admission inside it ends within QUEUE_TIMEOUT_MS of this call, all waits together. */
  forRequest<T>(work: () => Promise<T>): Promise<T>;
}

export function createTransformLimiter(options: LimiterOptions): TransformLimiter {
  const { queueTimeoutMs: timeoutMs } = options;
  const transforms = new AdmissionPool('transformation', { slots: options.maxConcurrentTransforms, budgetBytes: options.memoryBudgetMb * 2 ** 20, budgetSetting: 'MEMORY_BUDGET_MB', maxQueued: options.maxQueuedTransforms, timeoutMs });
  // Downloads take no slot: a download is waiting on the network, not using the CPU. Their bytes are what is bounded.
  const downloads = new AdmissionPool('download', { slots: Infinity, budgetBytes: options.downloadBudgetMb * 2 ** 20, budgetSetting: 'DOWNLOAD_BUDGET_MB', maxQueued: Infinity, timeoutMs });
  return {
    admitTransform: (bytes) => transforms.admit(bytes),
    downloadMemory: () => downloadMemory(downloads),
    retryAfterSeconds: retryAfter(timeoutMs),
    forRequest: (work) => waitDeadline.run(Date.now() + timeoutMs, work),
  };
}

function downloadMemory(downloads: AdmissionPool): DownloadMemory {
  let admission: Promise<Admission> | undefined;
  let total = 0;
  let released = false;
  return {
    async reserve(bytes) {
      total += bytes;
      if (!admission) {
        admission = downloads.admit(total);
        admission.catch(() => undefined);
        const admitted = await admission;
        if (released) admitted.release();
        return;
      }
      (await admission).reserve(total);
    },
    release() {
      released = true;
      void admission?.then((a) => a.release(), () => undefined);
    },
  };
}
