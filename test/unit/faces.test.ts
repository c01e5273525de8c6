import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { closeFaceDetector } from '../../shared/transform/faces/detect';
import { DetectionTimeout, DetectorPool } from '../../shared/transform/faces/pool';
import { faceRegion, type Region } from '../../shared/transform/faces/region';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { canonicalTransformation } from '../../shared/transform/grammar/print';
import { planGeometry } from '../../shared/transform/plan';
import { render, type RenderOptions } from '../../shared/transform/render';

// Settings are read on first use, after these are in place; storage is never reached here.
const env = { PRIVATE_API_KEY: 'private_unit_faces_key', STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' };
Object.assign(process.env, env);

const fixtures = path.join(__dirname, '..', 'fixtures', 'faces');
const fixture = (name: string) => readFileSync(path.join(fixtures, name));
/** The face in astronaut.jpg (512x512), as the corpus's note gives it. */
const ASTRONAUT_FACE = { left: 174, top: 76, width: 103, height: 104, score: 1 };
const options: RenderOptions = { accept: '', autoAvif: false, defaultQuality: 90, maxInputPixels: 100_000_000 };

async function rendered(input: Buffer, transformation: string) {
  const result = await render(input, parseTransformation(`${transformation},f-png`), options);
  if (result.kind !== 'rendered') throw new Error(`not rendered: ${result.kind}`);
  return { body: result.image.body, ...(await sharp(result.image.body).metadata()) };
}

async function rgb(image: sharp.Sharp): Promise<Buffer> {
  return image.removeAlpha().raw().toBuffer();
}

/** Mean absolute difference, 0-255, between an output and the source cut at `region` and resized as the output. */
async function differenceFrom(source: Buffer, region: Region, output: Buffer): Promise<number> {
  const { width, height } = await sharp(output).metadata();
  const [a, b] = await Promise.all([rgb(sharp(source).extract(region).resize(width, height, { fit: 'cover' })), rgb(sharp(output))]);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/**
 * Where the output was cut from: of the regions of `region`'s size shifted by up to 24 px each way (8 px steps,
 * inside the source), the offset of the one it matches best.
 */
async function whereCut(source: Buffer, region: Region, output: Buffer): Promise<{ dx: number; dy: number }> {
  let best = { dx: 0, dy: 0, difference: Infinity };
  for (let dx = -24; dx <= 24; dx += 8) {
    for (let dy = -24; dy <= 24; dy += 8) {
      const shifted = { ...region, left: region.left + dx, top: region.top + dy };
      if (shifted.left < 0 || shifted.top < 0 || shifted.left + shifted.width > 512 || shifted.top + shifted.height > 512) continue;
      const difference = await differenceFrom(source, shifted, output);
      if (difference < best.difference) best = { dx, dy, difference };
    }
  }
  return { dx: best.dx, dy: best.dy };
}

const contains = (outer: Region, inner: Region) =>
  inner.left >= outer.left && inner.top >= outer.top && inner.left + inner.width <= outer.left + outer.width && inner.top + inner.height <= outer.top + outer.height;

afterAll(closeFaceDetector);

describe('fo-face', () => {
  const astronaut = fixture('astronaut.jpg');

  it('w-160,h-160,fo-face on a portrait is cut around the known face box', async () => {
    const out = await rendered(astronaut, 'w-160,h-160,fo-face');
    expect([out.width, out.height]).toEqual([160, 160]);
    const expected = faceRegion([ASTRONAUT_FACE], { width: 512, height: 512 }, 1, 1);
    expect(contains(expected, ASTRONAUT_FACE)).toBe(true);
    // The output is that region of the photo, not the centre crop nor one beside it.
    expect(await whereCut(astronaut, expected, out.body)).toEqual({ dx: 0, dy: 0 });
    expect(await differenceFrom(astronaut, expected, out.body)).toBeLessThan(10);
    expect(await differenceFrom(astronaut, { left: 0, top: 0, width: 512, height: 512 }, out.body)).toBeGreaterThan(20);
  });

  it('z-2 frames the face tighter than z-1, z-0.5 looser', async () => {
    const regions: Region[] = [];
    for (const zoom of [2, 1, 0.5]) {
      const out = await rendered(astronaut, `w-160,h-120,fo-face,z-${zoom}`);
      expect([out.width, out.height]).toEqual([160, 120]);
      const region = faceRegion([ASTRONAUT_FACE], { width: 512, height: 512 }, zoom, 160 / 120);
      expect(await whereCut(astronaut, region, out.body)).toEqual({ dx: 0, dy: 0 });
      regions.push(region);
    }
    const [tight, normal, loose] = regions;
    expect(tight.width).toBeLessThan(normal.width);
    expect(normal.width).toBeLessThan(loose.width);
    expect(contains(loose, normal) && contains(normal, ASTRONAUT_FACE)).toBe(true);
  });

  it('alone crops to the faces with their margin; with one side it keeps that region’s shape', async () => {
    const alone = await rendered(astronaut, 'fo-face');
    const region = faceRegion([ASTRONAUT_FACE], { width: 512, height: 512 }, 1);
    expect(Math.abs(alone.width! - region.width)).toBeLessThanOrEqual(2);
    expect(Math.abs(alone.height! - region.height)).toBeLessThanOrEqual(2);
    expect(contains(region, ASTRONAUT_FACE)).toBe(true);

    const wide = await rendered(astronaut, 'w-100,fo-face');
    expect(wide.width).toBe(100);
    expect(Math.abs(wide.height! - 100)).toBeLessThanOrEqual(2);
  });

  it('finds the face in a photo stored rotated (EXIF orientation applied first)', async () => {
    // The pixels lie on their side; orientation 6 turns them upright, as every rendition is.
    const sideways = await sharp(astronaut).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const out = await rendered(sideways, 'w-160,h-160,fo-face');
    const expected = faceRegion([ASTRONAUT_FACE], { width: 512, height: 512 }, 1, 1);
    expect(await whereCut(astronaut, expected, out.body)).toEqual({ dx: 0, dy: 0 });
  });

  it('on a photo without a face gives the asked size, cut as fo-auto cuts it', async () => {
    const coffee = fixture('coffee.jpg');
    const face = await rendered(coffee, 'w-160,h-160,fo-face');
    const auto = await rendered(coffee, 'w-160,h-160,fo-auto');
    expect([face.width, face.height]).toEqual([160, 160]);
    expect((await rgb(sharp(face.body))).equals(await rgb(sharp(auto.body)))).toBe(true);
    const alone = await rendered(coffee, 'fo-face');
    expect([alone.width, alone.height]).toEqual([600, 400]);
  });

  it('does not combine with a crop mode that places the image otherwise, and z needs it', async () => {
    await expect(rendered(astronaut, 'w-100,h-100,fo-face,cm-extract')).rejects.toMatchObject({ status: 400, code: 'EBADPARAM', message: expect.stringContaining('cm-extract') });
    await expect(rendered(astronaut, 'w-100,h-100,fo-face,c-at_max')).rejects.toMatchObject({ status: 400, code: 'EBADPARAM', message: expect.stringContaining('c-at_max') });
    expect(() => parseTransformation('w-100,z-2')).toThrow(/"z".*fo-face/);
  });

  it('detects once per photo: other sizes of it reuse the faces', async () => {
    const camera = fixture('camera.jpg');
    const detect = jest.spyOn(DetectorPool.prototype, 'detect');
    try {
      await rendered(camera, 'w-120,h-120,fo-face');
      await rendered(camera, 'w-300,h-200,fo-face,z-0.5');
      await rendered(camera, 'fo-face');
      expect(detect).toHaveBeenCalledTimes(1);
    } finally {
      detect.mockRestore();
    }
  });
});

describe('fo-face and z in the grammar and the plan', () => {
  const plan = (text: string) => planGeometry(parseTransformation(text)[0], { original: { width: 800, height: 600 }, input: { width: 800, height: 600 } });

  it('plans a face crop with the sides asked for and the zoom', () => {
    expect(plan('w-300,h-200,fo-face,z-2')).toEqual([{ op: 'face', width: 300, height: 200, zoom: 2 }]);
    expect(plan('w-200,ar-2-1,fo-face')).toEqual([{ op: 'face', width: 200, height: 100, zoom: 1 }]);
    expect(plan('fo-face,z-0.5')).toEqual([{ op: 'face', width: undefined, height: undefined, zoom: 0.5 }]);
  });

  it('has one canonical text: z-1 is the default, parameters in order', () => {
    expect(canonicalTransformation(parseTransformation('z-2,fo-face,w-100'))).toBe('fo-face,w-100,z-2');
    expect(canonicalTransformation(parseTransformation('fo-face,z-1'))).toBe('fo-face');
  });
});

describe('the detector pool', () => {
  it('a detection past its time fails as a timeout and ends its worker; the next one starts afresh', async () => {
    const pool = new DetectorPool(1);
    const { data, info } = await sharp(fixture('camera.jpg')).raw().toBuffer({ resolveWithObject: true });
    const image = () => ({ data: new Uint8Array(data), width: info.width, height: info.height });
    try {
      // No worker starts, loads the model and detects within a millisecond.
      await expect(pool.detect(image(), 1)).rejects.toBeInstanceOf(DetectionTimeout);
      const faces = await pool.detect(image(), 60_000);
      expect(faces).toHaveLength(1);
    } finally {
      await pool.close();
    }
  });
});

describe('the face region', () => {
  const image = { width: 400, height: 300 };
  const face = (left: number, top: number, side: number) => ({ left, top, width: side, height: side, score: 0.9 });

  it('holds every face with the margin, centred on them', () => {
    const region = faceRegion([face(100, 100, 20), face(180, 120, 20)], image, 1);
    // The union is 100x40 at (100,100); grown 1.8 times around its centre (150,120).
    expect(region).toEqual({ left: 60, top: 84, width: 180, height: 72 });
  });

  it('takes the output shape, shrinks to fit the image, and slides inside it', () => {
    expect(faceRegion([face(100, 100, 50)], image, 1, 2)).toEqual({ left: 35, top: 80, width: 180, height: 90 });
    // Tall and loose: more than the image holds, so it shrinks to the full height and keeps its shape.
    expect(faceRegion([face(10, 10, 100)], image, 0.25, 0.5)).toEqual({ left: 0, top: 0, width: 150, height: 300 });
    // At the bottom-right corner: slid back inside.
    expect(faceRegion([face(370, 270, 30)], image, 1, 1)).toEqual({ left: 346, top: 246, width: 54, height: 54 });
  });
});

describe('the face model', () => {
  const root = path.join(__dirname, '..', '..');
  const blocker = path.join(root, 'test', 'helpers', 'no-network.js');

  /** Runs a script in a new Node process (TypeScript sources compiled as they load) in which every network call fails. */
  function offline(script: string) {
    const hook = `
      const ts = require('typescript');
      require.extensions['.ts'] = (m, file) => m._compile(ts.transpileModule(require('node:fs').readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText, file);`;
    return spawnSync(process.execPath, ['-r', blocker, '-e', `${hook}\n${script}`], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  }

  it('loads from the package’s own files and detects, off the main thread, with every outgoing connection refused', () => {
    const run = offline(`
      const sharp = require('sharp');
      const { findFaces, closeFaceDetector } = require('./shared/transform/faces/detect.ts');
      (async () => {
        const { data, info } = await sharp('test/fixtures/faces/camera.jpg').raw().toBuffer({ resolveWithObject: true });
        const faces = await findFaces({ data, width: info.width, height: info.height, channels: info.channels });
        await closeFaceDetector();
        // The model runs in the workers: this thread never loads TensorFlow.js.
        const tfjsHere = Object.keys(require.cache).some((file) => file.includes('@tensorflow'));
        console.log(JSON.stringify({ faces, tfjsHere }));
      })().catch((error) => { console.error(error); process.exit(1); });`);
    expect(run.stderr).not.toContain('NETWORK ATTEMPT');
    expect(run.status).toBe(0);
    const { faces, tfjsHere } = JSON.parse(run.stdout) as { faces: Region[]; tfjsHere: boolean };
    expect(tfjsHere).toBe(false);
    // camera.jpg's face, as the corpus's note gives it: (182,127,72,72).
    expect(faces).toHaveLength(1);
    expect(Math.abs(faces[0].left - 182) + Math.abs(faces[0].top - 127)).toBeLessThan(6);
  });

  it('the same process does refuse a connection, in the main thread and in a worker', () => {
    const run = offline(`
      const { Worker } = require('node:worker_threads');
      fetch('http://127.0.0.1:9/').catch(() => {});
      new Worker("require('node:net').connect(9, '127.0.0.1')", { eval: true }).on('error', () => {});`);
    expect(run.stderr).toContain('NETWORK ATTEMPT: fetch http://127.0.0.1:9/');
    expect(run.stderr).toContain('NETWORK ATTEMPT: connect');
  });
});
