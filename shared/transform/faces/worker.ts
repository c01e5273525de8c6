import { parentPort } from 'node:worker_threads';
import { loadDetector, type Detect, type FaceBox, type RgbImage } from './blazeface';
import { MIN_SCORE } from './score';

/** A detection job from the pool: its id and the pixels (their buffer transferred, not copied). */
export interface Job extends RgbImage {
  id: number;
}

export type Reply = { id: number; faces: FaceBox[] } | { id: number; error: string };

// The model loads with the first job, so a worker costs its memory only once a request needs it.
let detector: Promise<Detect> | undefined;

parentPort!.on('message', async (job: Job) => {
  let reply: Reply;
  try {
    detector ??= loadDetector(MIN_SCORE);
    reply = { id: job.id, faces: await (await detector)(job) };
  } catch (error) {
    reply = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
