/**
 * `npm run build && node dist/bench/faces.js [DIR ...]`: the face detector's figures on this machine, as JSON:
 * a worker's first detection (thread start, TensorFlow.js, WASM compile, model load) and the memory that worker
 * holds then (this process's resident set before and after); then, in this thread, model load, detection time per
 * photo (median of 5 after a warm-up run), faces found and their scores, and the memory after all detections
 * (WASM memory grows to its high-water mark and stays there).
 * Photos default to test/fixtures/faces and, when present, ../shared/corpus/faces.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { loadDetector, type RgbImage } from '../shared/transform/faces/blazeface';
import { DetectorPool } from '../shared/transform/faces/pool';
import { MIN_SCORE } from '../shared/transform/faces/score';

const root = path.join(__dirname, '..', '..');
const dirs = process.argv.length > 2 ? process.argv.slice(2) : [path.join(root, 'test', 'fixtures', 'faces'), path.join(root, '..', 'shared', 'corpus', 'faces')];

/** The detector's input as the server makes it: upright, longest side at most 640 px, RGB. */
async function detectorInput(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file).rotate().resize(640, 640, { fit: 'inside', withoutEnlargement: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const elapsed = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const megabytes = (bytes: number) => Math.round(bytes / 1024 / 1024);

async function main(): Promise<void> {
  const files = dirs.filter((d) => fs.existsSync(d)).flatMap((d) => fs.readdirSync(d).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).map((f) => path.join(d, f)));
  const inputs = await Promise.all(files.map(detectorInput));
  const machine = { cores: os.availableParallelism(), loadAverage: os.loadavg()[0].toFixed(1) };

  const pool = new DetectorPool(1);
  let rssBefore = process.memoryUsage().rss;
  const coldStart = process.hrtime.bigint();
  await pool.detect({ ...inputs[0], data: inputs[0].data.slice() }, 60_000);
  const worker = { firstDetectionMs: Math.round(elapsed(coldStart)), memoryMB: megabytes(process.memoryUsage().rss - rssBefore) };
  await pool.close();

  rssBefore = process.memoryUsage().rss;
  const loadStart = process.hrtime.bigint();
  const detect = await loadDetector(MIN_SCORE);
  const loadMs = elapsed(loadStart);
  const photos = [];
  for (const [i, input] of inputs.entries()) {
    const times: number[] = [];
    let faces = await detect(input);
    for (let run = 0; run < 5; run++) {
      const start = process.hrtime.bigint();
      faces = await detect(input);
      times.push(elapsed(start));
    }
    photos.push({ photo: path.basename(files[i]), size: `${input.width}x${input.height}`, detectMs: Math.round(median(times)), scores: faces.map((f) => Number(f.score.toFixed(2))) });
  }
  console.log(
    JSON.stringify(
      {
        machine,
        minScore: MIN_SCORE,
        loadMs: Math.round(loadMs),
        worker,
        memoryMBAfterAllDetections: megabytes(process.memoryUsage().rss - rssBefore),
        detectMs: { min: Math.min(...photos.map((p) => p.detectMs)), median: median(photos.map((p) => p.detectMs)), max: Math.max(...photos.map((p) => p.detectMs)) },
        photos,
      },
      null,
      2,
    ),
  );
}

void main();
