import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { coalesce } from '../../cache/coalesce';
import { currentDeadline, remainingTimeout, timedOut, type JobDeadline } from '../deadline';
import { open, type Frame } from '../picture';
import type { FaceBox } from './blazeface';
import { DetectionTimeout, DetectorPool } from './pool';

export type { FaceBox } from './blazeface';

/** The detector sees the picture with its longest side at most this many pixels; BlazeFace itself reads 256. */
const DETECTION_SIDE = 640;

/** A detection outside a job (a direct call of the renderer without a deadline) is bounded all the same. */
const OUTSIDE_A_JOB: JobDeadline = { seconds: 20, retryAfterSeconds: 5 };

let pool: DetectorPool | undefined;
/** Faces by the hash of the pixels the detector saw, in fractions of the picture, so every size of one photo shares them. */
const found = new LRUCache<string, FaceBox[]>({ max: 2000 });

/** The picture's first frame as the detector takes it: RGB, downscaled, and how much smaller it is. */
async function detectorInput(frame: Frame): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await open(frame)
    .resize(DETECTION_SIDE, DETECTION_SIDE, { fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

const scaled = (faces: FaceBox[], x: number, y: number) => faces.map((f) => ({ left: f.left * x, top: f.top * y, width: f.width * x, height: f.height * y, score: f.score }));

/**
 * The faces in a decoded picture (its first frame, EXIF orientation already applied), in its pixels. Detected once
 * per distinct picture in this instance: renditions of one original at other sizes find the earlier result. The
 * model loads with the first call; the wait is bounded by the transform timeout.
 */
export async function findFaces(frame: Frame): Promise<FaceBox[]> {
  const input = await detectorInput(frame);
  const key = createHash('sha1').update(input.data).update(`${input.width}x${input.height}`).digest('base64');
  let faces = found.get(key);
  if (!faces) {
    ({ value: faces } = await coalesce(`faces\n${key}`, async () => {
      const inPixels = await detect(input);
      const fractions = scaled(inPixels, 1 / input.width, 1 / input.height);
      found.set(key, fractions);
      return { value: fractions };
    }));
  }
  return scaled(faces, frame.width, frame.height);
}

async function detect(input: { data: Buffer; width: number; height: number }): Promise<FaceBox[]> {
  pool ??= new DetectorPool();
  // What is left of the job's time; a detection outside a job (a direct call) gets a whole job's time.
  const job = currentDeadline() ?? OUTSIDE_A_JOB;
  const seconds = remainingTimeout().seconds || job.seconds;
  // The pixels move to the worker; this copy is the detector's own.
  const data = new Uint8Array(input.data);
  try {
    return await pool.detect({ data, width: input.width, height: input.height }, seconds * 1000);
  } catch (error) {
    if (error instanceof DetectionTimeout) throw timedOut(job);
    throw error;
  }
}

/** Ends the detector's workers (tests, shutdown); the next detection starts them again. */
export async function closeFaceDetector(): Promise<void> {
  const closing = pool;
  pool = undefined;
  await closing?.close();
}
