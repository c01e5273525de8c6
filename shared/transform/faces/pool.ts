import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FaceBox, RgbImage } from './blazeface';
import type { Job, Reply } from './worker';

/**
 * Runs the worker script. Built code runs `worker.js`; tests run the TypeScript sources, which the worker compiles
 * as it loads them, with the compiler the tests already have.
 */
const BOOT = `
const { workerData } = require('node:worker_threads');
if (workerData.entry.endsWith('.ts')) {
  const ts = require('node:module').createRequire(workerData.entry)('typescript');
  const { readFileSync } = require('node:fs');
  const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  require.extensions['.ts'] = (m, file) => m._compile(ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: options }).outputText, file);
}
require(workerData.entry);
`;

interface Pending {
  resolve(faces: FaceBox[]): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

export class DetectionTimeout extends Error {}

/**
 * A few worker threads, each holding the model once it has had a job, so a detection (tens of milliseconds of
 * WASM) never blocks the thread that serves requests. A job that overruns its time ends its worker (the only way
 * to stop WASM mid-run); the next job starts a new one.
 */
export class DetectorPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;

  constructor(private readonly size = Math.min(2, availableParallelism())) {}

  /** The faces in `image`, whose pixel buffer moves to the worker (it is detached here): pass a buffer of its own. */
  detect(image: RgbImage, timeoutMs: number): Promise<FaceBox[]> {
    const slot = this.pick();
    const id = this.nextId++;
    return new Promise<FaceBox[]>((resolve, reject) => {
      const timer = setTimeout(() => void this.retire(slot, new DetectionTimeout(`face detection took over ${timeoutMs} ms`)), timeoutMs);
      const done = <T>(settle: (value: T) => void) => (value: T) => {
        clearTimeout(timer);
        slot.pending.delete(id);
        settle(value);
      };
      slot.pending.set(id, { resolve: done(resolve), reject: done(reject) });
      const job: Job = { id, ...image };
      slot.worker.postMessage(job, [image.data.buffer as ArrayBuffer]);
    });
  }

  /** Ends every worker; jobs still running fail. */
  async close(): Promise<void> {
    await Promise.all([...this.slots].map((slot) => this.retire(slot, new Error('the face detector was closed'))));
  }

  /** The least busy worker, or a new one while the pool has room. */
  private pick(): Slot {
    const idle = this.slots.find((slot) => slot.pending.size === 0);
    if (idle) return idle;
    if (this.slots.length < this.size) return this.start();
    return this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  private start(): Slot {
    const entry = path.join(__dirname, `worker${path.extname(__filename)}`);
    const worker = new Worker(BOOT, { eval: true, workerData: { entry } });
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (reply: Reply) => {
      const pending = slot.pending.get(reply.id);
      if (!pending) return;
      if ('error' in reply) pending.reject(new Error(reply.error));
      else pending.resolve(reply.faces);
    });
    worker.on('error', (error) => void this.retire(slot, error));
    worker.on('exit', () => void this.retire(slot, new Error('the face detector stopped')));
    // An idle pool does not keep the process alive.
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private async retire(slot: Slot, error: Error): Promise<void> {
    const at = this.slots.indexOf(slot);
    if (at < 0) return;
    this.slots.splice(at, 1);
    for (const pending of slot.pending.values()) pending.reject(error);
    slot.pending.clear();
    await slot.worker.terminate();
  }
}
