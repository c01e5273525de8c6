import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';

/** A face in the pixels it was found in: its box and the detector's confidence (0-1). */
export interface FaceBox {
  left: number;
  top: number;
  width: number;
  height: number;
  score: number;
}

/** RGB pixels, 3 bytes each, row by row. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export type Detect = (image: RgbImage) => Promise<FaceBox[]>;

/** Overlapping candidates of one face are merged by non-maximum suppression at this IoU. */
const IOU_THRESHOLD = 0.3;
const MAX_FACES = 20;

/**
 * BlazeFace ("back", full range) as `@vladmandic/human` ships it. Its JSON names `blazeface.bin` beside it;
 * tfjs would fetch that by URL, and Node's fetch reads no `file://`, so both files are read from disk here.
 */
function modelDirectory(): string {
  // The package exports no package.json; its main script lives in dist/, the models beside it.
  return path.join(path.dirname(require.resolve('@vladmandic/human')), '..', 'models');
}

async function loadModel(): Promise<GraphModel> {
  const dir = modelDirectory();
  const json = JSON.parse(await readFile(path.join(dir, 'blazeface.json'), 'utf8')) as tf.io.ModelJSON;
  const manifest = json.weightsManifest;
  const weights = await Promise.all(manifest.flatMap((group) => group.paths).map((file) => readFile(path.join(dir, file))));
  const bytes = Buffer.concat(weights);
  return loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: manifest.flatMap((group) => group.weights),
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    }),
  );
}

/** BlazeFace's anchors: a 16x16 grid of 2 and an 8x8 grid of 6, cell centres in input pixels, in the model's output order. */
function anchors(inputSize: number): Float32Array {
  const centres: number[] = [];
  for (const [stride, perCell] of [[inputSize / 16, 2], [inputSize / 8, 6]]) {
    const cells = Math.ceil(inputSize / stride);
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let n = 0; n < perCell; n++) centres.push(stride * (x + 0.5), stride * (y + 0.5));
      }
    }
  }
  return Float32Array.from(centres);
}

/**
 * The model's four outputs (scores and regressions for the two anchor grids, as the converted model names them in
 * no useful order) as one [anchors, 17] tensor: score logit, box centre offset and size, six landmarks.
 */
function rows(outputs: tf.Tensor[]): tf.Tensor2D {
  // Ordered: the 16x16 grid (more anchors) first, and in each grid the one-column scores before the regressions.
  const order = (t: tf.Tensor) => -t.shape[1]! * 100 + t.shape[2]!;
  const [scores16, boxes16, scores8, boxes8] = [...outputs].sort((a, b) => order(a) - order(b));
  return tf.squeeze(tf.concat([tf.concat([scores16, boxes16], 2), tf.concat([scores8, boxes8], 2)], 1), [0]) as tf.Tensor2D;
}

/** Loads the model (the WASM backend, in this thread) and returns the detector. */
export async function loadDetector(minScore: number): Promise<Detect> {
  await tf.setBackend('wasm');
  await tf.ready();
  const model = await loadModel();
  const inputSize = model.inputs[0].shape![1];
  const centres = anchors(inputSize);
  const anchorCentres = tf.tensor2d(centres, [centres.length / 2, 2]);

  return async ({ data, width, height }) => {
    // Padded to a square at the bottom and right, so faces keep their shape and boxes need no offset.
    const side = Math.max(width, height);
    const scale = side / inputSize;
    const { boxes, scores } = tf.tidy(() => {
      const image = tf.cast(tf.tensor3d(data, [height, width, 3], 'int32'), 'float32');
      const square = tf.pad(image, [[0, side - height], [0, side - width], [0, 0]]);
      const input = tf.sub(tf.div(tf.image.resizeBilinear(tf.expandDims(square, 0) as tf.Tensor4D, [inputSize, inputSize]), 127.5), 1);
      const table = rows(model.execute(input) as tf.Tensor[]);
      const centres = tf.add(tf.slice(table, [0, 1], [-1, 2]), anchorCentres);
      const half = tf.div(tf.slice(table, [0, 3], [-1, 2]), 2);
      // [y1, x1, y2, x2], the order non-maximum suppression reads.
      const corners = tf.concat([tf.sub(centres, half), tf.add(centres, half)], 1);
      return { boxes: tf.gather(corners, [1, 0, 3, 2], 1) as tf.Tensor2D, scores: tf.sigmoid(tf.squeeze(tf.slice(table, [0, 0], [-1, 1]), [1])) as tf.Tensor1D };
    });
    try {
      const kept = await tf.image.nonMaxSuppressionAsync(boxes, scores, MAX_FACES, IOU_THRESHOLD, minScore);
      const [indices, corners, confidence] = await Promise.all([kept.data(), boxes.data(), scores.data()]);
      kept.dispose();
      return Array.from(indices, (i) => {
        const [y1, x1, y2, x2] = Array.from(corners.subarray(i * 4, i * 4 + 4), (v) => v * scale);
        const left = Math.max(0, x1);
        const top = Math.max(0, y1);
        return { left, top, width: Math.min(width, x2) - left, height: Math.min(height, y2) - top, score: confidence[i] };
      }).filter((face) => face.width > 0 && face.height > 0);
    } finally {
      tf.dispose([boxes, scores]);
    }
  };
}
