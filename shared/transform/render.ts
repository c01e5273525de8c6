import sharp, { type Sharp } from 'sharp';
import { IkError, unsupported } from '../http/errors';
import { checkAnimation, checkOutputSize, transformTimeout } from '../security/limits';
import { chooseFormat, CONTENT_TYPES } from './format';
import type { OutputFormat, Step } from './params';
import { planResize, type Size } from './plan';

// One transform at a time per sharp pipeline thread pool; libvips' operation cache only costs memory here.
sharp.cache(false);

export interface RenderOptions {
  accept: string;
  autoAvif: boolean;
  defaultQuality: number;
  maxInputPixels: number;
}

export interface Rendition {
  body: Buffer;
  contentType: string;
  /** The response varies with the Accept header. */
  negotiated: boolean;
  width?: number;
  height?: number;
}

/** The last value any step gives for a key: output parameters apply to the final encode wherever they appear. */
function last<K extends keyof Step>(steps: Step[], key: K): Step[K] | undefined {
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i][key] !== undefined) return steps[i][key];
  return undefined;
}

function orientedSize(meta: sharp.Metadata): Size {
  const swap = (meta.orientation ?? 1) >= 5;
  return { width: swap ? meta.height! : meta.width!, height: swap ? meta.width! : meta.height! };
}

function encode(pipeline: Sharp, format: OutputFormat, quality: number): Sharp {
  switch (format) {
    case 'jpeg':
      // ImageKit serves 4:4:4 JPEG by default; JPEG has no alpha, so transparent pixels become white.
      return pipeline.flatten({ background: '#ffffff' }).jpeg({ quality, chromaSubsampling: '4:4:4' });
    case 'png':
      // ImageKit's PNG is lossy by default: quantise to a palette at the requested quality.
      return pipeline.png({ palette: true, quality, effort: 4 });
    case 'webp':
      return pipeline.webp({ quality, effort: 4 });
    case 'avif':
      return pipeline.avif({ quality, effort: 2 });
    case 'gif':
      return pipeline.gif();
  }
}

function decodeError(error: unknown): IkError {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return new IkError(400, 'ELIMIT', 'The input image has more pixels than allowed');
  if (/^timeout:/.test(message)) return new IkError(400, 'ELIMIT', 'The transformation took longer than allowed');
  return unsupported(`The image could not be processed: ${message.split('\n')[0]}`);
}

/**
 * Runs the steps over an image with sharp. Steps apply in order; within one step the pixel work is
 * orientation (first step only) then resize/crop. Between steps that resize, the pixels are kept raw so no
 * quality is lost to an intermediate encode. Returns 'not-an-image' when sharp cannot read the input, and
 * 'svg' when an SVG is to be served as it is.
 */
export async function render(input: Buffer, steps: Step[], options: RenderOptions): Promise<Rendition | 'not-an-image' | 'svg'> {
  let meta: sharp.Metadata;
  try {
    // Only the header is read here; sharp's default pixel limit would make a too-large image look like a non-image.
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    return 'not-an-image';
  }
  if (!meta.width || !meta.height || !meta.format) return 'not-an-image';
  if (meta.width * meta.height > options.maxInputPixels) {
    throw new IkError(400, 'ELIMIT', `The input image is ${meta.width}x${meta.height}, more than ${options.maxInputPixels} pixels`);
  }
  checkAnimation(meta);
  const requested = last(steps, 'f');
  // SVG stays vector unless a raster format is named explicitly, as ImageKit does.
  if (meta.format === 'svg' && (requested === undefined || requested === 'auto' || requested === 'orig')) return 'svg';

  const choice = chooseFormat(requested, { format: meta.format, hasAlpha: meta.hasAlpha ?? false }, options.accept, options.autoAvif);
  const quality = last(steps, 'q') ?? options.defaultQuality;

  try {
    const open = (data: Buffer, raw?: sharp.CreateRaw) => sharp(data, { limitInputPixels: options.maxInputPixels, raw }).timeout(transformTimeout());
    // EXIF orientation is applied, then all metadata (EXIF, ICC, XMP) is stripped by sharp's default output.
    let pipeline = open(input).rotate();
    let size = orientedSize(meta);
    for (let i = 0; i < steps.length; i++) {
      const op = planResize(steps[i], size);
      if (!op) continue;
      checkOutputSize(op, choice.format);
      pipeline = pipeline.resize(op.width, op.height, { fit: op.fit, position: 'centre' });
      size = op;
      if (steps.slice(i + 1).some((s) => planResize(s, size))) {
        const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
        pipeline = open(data, { width: info.width, height: info.height, channels: info.channels });
      }
    }
    checkOutputSize(size, choice.format);
    const { data, info } = await encode(pipeline, choice.format, quality).toBuffer({ resolveWithObject: true });
    return {
      body: data,
      contentType: CONTENT_TYPES[choice.format],
      negotiated: choice.negotiated,
      width: info.width,
      height: info.height,
    };
  } catch (error) {
    if (error instanceof IkError) throw error;
    throw decodeError(error);
  }
}
