import sharp, { type Sharp } from 'sharp';
import { IkError, overLimit, unsupported } from '../http/errors';
import { IMAGE_TYPES } from '../http/headers';
import { checkAnimation, checkOutputSize, withinEncodeCaps, type RenderLimits } from '../security/limits';
import type { Admission } from '../security/transform-limiter';
import { decodeCost, encodeCost, stepCost } from './cost';
import { remainingTimeout, timedOut, withDeadline, type JobDeadline } from './deadline';
import { chooseFormat } from './format';
import type { OutputFormat, Size, Step } from './grammar/model';
import { lastValue } from './grammar/query';
import { decode, decoding, frameSize, isAnimated, open, stacked, type Picture } from './picture';
import { planGeometry, sizeAfter } from './plan';
import { runChain, runStep } from './chain';
import { plainResize } from './step';
import { defaultQuality } from './quality';

// One transform at a time per sharp pipeline thread pool; libvips' operation cache only costs memory here.
sharp.cache(false);

/** Decoded originals kept per instance (DECODED_CACHE_MB), for renditions that share an original and its first resize. */
export interface DecodedOriginals {
  /**
   * Whether the pixels of `input` after `stage`, about `bytes` large, are worth keeping: they are kept already, or
   * the same bytes and stage were asked for before. A first sighting answers false and is remembered, so traffic
   * that never repeats an original decodes straight into its encoder, and the second rendition of one keeps it.
   */
  wanted(input: Buffer, stage: string, bytes: number): boolean;
  /** The pixels from memory, or from `decode` and then kept; concurrent callers for one key share one decode. */
  reuse(input: Buffer, stage: string, decode: () => Promise<Picture>): Promise<Picture>;
}

export interface RenderOptions {
  accept: string;
  autoAvif: boolean;
  /** JPEG with 4:2:0 chroma (JPEG_CHROMA_SUBSAMPLING); 4:4:4 otherwise, ImageKit's default. */
  chromaSubsampling?: boolean;
  defaultQuality: number;
  limits: RenderLimits;
  /** The bytes of an image layer's `i-` path, from the origins the image came from; 404 ENOENT when it is missing. */
  loadLayer?: (path: string) => Promise<Buffer>;
  /**
   * Decoded originals kept for other renditions: `stage` names the resize done while decoding, so equal bytes and
   * an equal stage give equal pixels. Without it, every rendition decodes.
   */
  decoded?: DecodedOriginals;
  /** Wraps each decode this request does (one-pass renditions decode, resize and encode in it), to count and time it. */
  onDecode?: <T>(decode: () => Promise<T>) => Promise<T>;
  /** Admits the job by its estimated peak memory in bytes (see cost.ts), once the header is read and before decoding. */
  admit?: (bytes: number) => Promise<Admission>;
  /** One deadline for decode, steps and encode together, counted from admission; none when absent. */
  deadline?: JobDeadline;
}

/** What the app's renderer is built with once: the settings' limits, output defaults, admission and deadline. */
export type RendererOptions = Pick<RenderOptions, 'autoAvif' | 'chromaSubsampling' | 'defaultQuality' | 'limits' | 'admit' | 'deadline' | 'decoded'>;

/** render() with the app's options; a call adds what depends on the request. */
export interface Renderer {
  readonly options: RendererOptions;
  render(input: Buffer, steps: Step[], request: Omit<RenderOptions, keyof RendererOptions>): Promise<RenderResult>;
}

export function createRenderer(options: RendererOptions): Renderer {
  return { options, render: (input, steps, request) => render(input, steps, { ...options, ...request }) };
}

/** An image render() encoded. */
export interface RenderedImage {
  body: Buffer;
  contentType: string;
  /** The response varies with the Accept header. */
  negotiated: boolean;
  width?: number;
  height?: number;
}

/** What render() made of its input: an encoded image, an SVG to serve as it is, or bytes sharp cannot read. */
export type RenderResult = { kind: 'rendered'; image: RenderedImage } | { kind: 'svg' } | { kind: 'not-an-image' };


interface EncodeOptions {
  quality: number;
  /** `pr-true`: progressive JPEG, interlaced PNG. */
  progressive: boolean;
  /** `lo-true`: lossless PNG (no palette), WebP and AVIF. */
  lossless: boolean;
  chromaSubsampling: boolean;
}

function encode(pipeline: Sharp, format: OutputFormat, o: EncodeOptions, animation: { delay?: number[]; loop?: number }): Sharp {
  switch (format) {
    case 'jpeg':
      // ImageKit serves 4:4:4 JPEG unless its chroma subsampling setting is on; JPEG has no alpha, so transparent pixels become white.
      return pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: o.quality, chromaSubsampling: o.chromaSubsampling ? '4:2:0' : '4:4:4', progressive: o.progressive });
    case 'png':
      // ImageKit's PNG is lossy by default: quantise to a palette at the requested quality.
      return o.lossless ? pipeline.png({ progressive: o.progressive }) : pipeline.png({ palette: true, quality: o.quality, effort: 4, progressive: o.progressive });
    case 'webp':
      // Effort 2 encodes in half the time of 4 (sharp's default) for 3-4% more bytes at the same quality (docs/benchmarks.md).
      return pipeline.webp({ quality: o.quality, lossless: o.lossless, effort: 2, ...animation });
    case 'avif':
      return pipeline.avif({ quality: o.quality, lossless: o.lossless, effort: 3 });
    case 'gif':
      return pipeline.gif(animation);
  }
}

/** Any pixel not fully opaque. */
function transparent(p: Picture): boolean {
  return p.frames.some((f) => {
    if (f.channels !== 4) return false;
    for (let i = 3; i < f.data.length; i += 4) if (f.data[i] < 255) return true;
    return false;
  });
}

/** Parameters a step may hold and still be only a resize: its geometry (planned beforehand) and output settings. */
const RESIZE_ONLY = new Set<string>(['w', 'h', 'ar', 'dpr', 'c', 'cm', 'fo', 'z', 'x', 'y', 'xc', 'yc', 'q', 'f', 'pr', 'lo', 'di', 'autoWidth', 'autoDpr']);

/** `rt-auto` is the EXIF orientation every image gets anyway. */
const onlyResizes = (step: Step) => Object.entries(step).every(([key, value]) => value === undefined || RESIZE_ONLY.has(key) || (key === 'rt' && value === 'auto'));

function orientedSize(meta: sharp.Metadata): Size {
  const swap = (meta.orientation ?? 1) >= 5;
  return { width: swap ? meta.height! : meta.width!, height: swap ? meta.width! : meta.height! };
}

/**
 * `md-true` and `cp-true` on a still image: the original, decoded again at the output size, lends its metadata
 * (all of it, or the ICC profile only) to the result's pixels, which replace its own.
 */
function withOriginalMetadata(input: Buffer, p: Picture, keep: 'all' | 'icc', maxInputPixels: number): Sharp {
  const [frame] = p.frames;
  const donor = sharp(input, { limitInputPixels: maxInputPixels }).timeout(remainingTimeout()).rotate().resize(frame.width, frame.height, { fit: 'fill' });
  const replaced = donor.composite([{ input: frame.data, raw: { width: frame.width, height: frame.height, channels: frame.channels }, blend: 'source' }]);
  return keep === 'all' ? replaced.keepMetadata() : replaced.keepIccProfile();
}

/** libvips' own words go to the log only: they name library internals and say nothing the client can act on. */
function decodeError(error: unknown, deadline: JobDeadline | undefined): IkError {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return overLimit('The input image has more pixels than allowed', message);
  if (/^timeout:/.test(message) && deadline !== undefined) return timedOut(deadline);
  return unsupported('The image could not be processed: it may be damaged, or the transformation does not apply to it', message);
}

/**
 * Runs the steps over an image with sharp. The image is decoded once (EXIF orientation applied, every frame of an
 * animation), each step works on decoded pixels, and the result is encoded once.
 */
export async function render(input: Buffer, steps: Step[], options: RenderOptions): Promise<RenderResult> {
  const { limits } = options;
  let meta: sharp.Metadata;
  try {
    // Only the header is read here; sharp's default pixel limit would make a too-large image look like a non-image.
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    return { kind: 'not-an-image' };
  }
  if (!meta.width || !meta.height || !meta.format) return { kind: 'not-an-image' };
  if (meta.width * meta.height > limits.maxInputPixels) {
    throw overLimit(`The input image is ${meta.width}x${meta.height}, more than ${limits.maxInputPixels} pixels`);
  }
  checkAnimation(meta, limits);
  const requested = lastValue(steps, 'f');
  // SVG stays vector unless a raster format is named explicitly, as ImageKit does.
  if (meta.format === 'svg' && (requested === undefined || requested === 'auto' || requested === 'orig')) return { kind: 'svg' };

  // AVIF is never chosen with cp-true or e-usm, as ImageKit documents.
  const autoAvif = options.autoAvif && !lastValue(steps, 'cp') && !steps.some((s) => s.usm);
  const planned = chooseFormat(requested, { format: meta.format, hasAlpha: meta.hasAlpha ?? false }, options.accept, autoAvif);

  const check = (size: Size) => checkOutputSize(size, planned.format, limits);
  const original = orientedSize(meta);
  const frames = isAnimated(meta) ? (meta.pages ?? 1) : 1;
  // The first step's size is known from the header unless it trims or branches: it is checked and reserved before
  // anything is decoded, and its first resize runs while decoding, where libvips can shrink on load.
  const [first, ...rest] = steps;
  const firstPlan = first && !first.t && !first.if && frames === 1 ? planGeometry(first, { original, input: original }) : undefined;
  const firstSize = firstPlan && sizeAfter(firstPlan, original);
  if (firstSize) check(firstSize);
  const early = firstPlan && firstPlan.length > 0 ? plainResize(firstPlan[0]) : undefined;
  const decodeBytes = decodeCost({ format: meta.format, size: { width: meta.width, height: meta.pageHeight ?? meta.height }, frames, streamed: early !== undefined, progressive: meta.isProgressive ?? false });
  // The original's bytes are held through every stage, so each reservation counts them.
  const admission = await options.admit?.(input.length + Math.max(decodeBytes, firstSize ? stepCost(firstSize, frames) : 0));
  const reserve = (bytes: number) => admission?.reserve(input.length + bytes);
  const keep = lastValue(steps, 'md') ? 'all' : lastValue(steps, 'cp') ? 'icc' : undefined;
  const encodeOptions = (format: OutputFormat) => ({
    quality: lastValue(steps, 'q') ?? defaultQuality(input, meta.format!, format, options.defaultQuality),
    progressive: lastValue(steps, 'pr') ?? false,
    lossless: lastValue(steps, 'lo') ?? false,
    chromaSubsampling: options.chromaSubsampling ?? false,
  });
  const decodeWith = options.onDecode ?? ((work) => work());

  /** The result's format, checked against the output limits and its encoding reserved, then the encode. */
  const encoded = async (pipeline: () => Sharp, size: Size, alpha: boolean, picture?: Picture): Promise<RenderResult> => {
    const choice = withinEncodeCaps(chooseFormat(requested, { format: meta.format!, hasAlpha: alpha }, options.accept, autoAvif), size, alpha ? 'png' : 'jpeg', limits);
    checkOutputSize(size, choice.format, limits);
    const animated = picture !== undefined && picture.frames.length > 1 && (choice.format === 'gif' || choice.format === 'webp');
    reserve(encodeCost(size, animated ? picture.frames.length : 1, choice.format));
    const animation = animated ? { delay: picture.delay, loop: picture.loop } : {};
    const source = animated ? stacked(picture) : pipeline();
    const { data, info } = await encode(source, choice.format, encodeOptions(choice.format), animation).timeout(remainingTimeout()).toBuffer({ resolveWithObject: true });
    const image = { body: data, contentType: IMAGE_TYPES[choice.format].contentType, negotiated: choice.negotiated, width: info.width, height: animated ? size.height : info.height };
    return { kind: 'rendered', image };
  };

  // A rendition that is one resize of a plain RGB still image, whose decoded pixels nobody is keeping, is decoded,
  // resized and encoded in one libvips pipeline: the same bytes as the step by step path, without the decoded copy.
  // Not PNG: from a pipeline libvips would write the original's resolution into it, which decoded pixels lack.
  const stage = early ? JSON.stringify(firstPlan![0]) : 'whole';
  const onePass =
    early !== undefined &&
    firstPlan!.length === 1 &&
    rest.length === 0 &&
    onlyResizes(first) &&
    !keep &&
    meta.channels === 3 &&
    !meta.hasAlpha &&
    meta.space === 'srgb' &&
    meta.depth === 'uchar' &&
    planned.format !== 'png' &&
    !(options.decoded?.wanted(input, stage, firstSize!.width * firstSize!.height * 3) ?? false);

  const job = async (): Promise<RenderResult> => {
    if (onePass) return decodeWith(() => encoded(() => early!(decoding(input, meta, limits.maxInputPixels)), firstSize!, false));
    const account = (size: Size) => reserve(stepCost(size, frames));
    const decodeInput = () => decodeWith(() => decode(input, meta, limits.maxInputPixels, early));
    let picture = await (options.decoded ? options.decoded.reuse(input, stage, decodeInput) : decodeInput());
    const ctx = {
      original,
      check: (size: Size) => {
        check(size);
        account(size);
      },
      account,
      loadLayer: options.loadLayer,
      maxInputPixels: limits.maxInputPixels,
    };
    if (early) picture = await runStep(picture, first, ctx, firstPlan!.slice(1));
    picture = await runChain(picture, early ? rest : steps, ctx);

    // The steps may have added transparency (r, o, rt) or removed it (bg): the format follows the result.
    const result = picture;
    const still = () => (keep ? withOriginalMetadata(input, result, keep, limits.maxInputPixels) : open(result.frames[0]));
    return encoded(still, frameSize(result), transparent(result), result);
  };

  try {
    return await (options.deadline === undefined ? job() : withDeadline(options.deadline, job));
  } catch (error) {
    if (error instanceof IkError) throw error;
    throw decodeError(error, options.deadline);
  } finally {
    admission?.release();
  }
}
