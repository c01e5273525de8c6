import sharp from 'sharp';
import type { IkError } from '../../shared/http/errors';
import { createTransformLimiter, type Admission } from '../../shared/security/transform-limiter';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { render, type RenderOptions } from '../../shared/transform/render';
import { renderOptions } from '../helpers/settings';

const { admitTransform } = createTransformLimiter({ memoryBudgetMb: 10, maxConcurrentTransforms: 2, maxQueuedTransforms: 2, queueTimeoutMs: 300, downloadBudgetMb: 128 });

const MB = 2 ** 20;

/** A promise with whether it has settled yet, read after pending callbacks have run. */
function watch<T>(promise: Promise<T>) {
  const state = { settled: false, value: undefined as T | undefined, error: undefined as unknown };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('admission by slots and memory', () => {
  it('a job over the whole budget is 400 ELIMIT naming MEMORY_BUDGET_MB, without waiting', async () => {
    await expect(admitTransform(11 * MB)).rejects.toMatchObject({ status: 400, code: 'ELIMIT', message: expect.stringMatching(/MEMORY_BUDGET_MB \(10\)/) });
  });

  it('jobs that together exceed the budget wait, in arrival order, and start as memory frees', async () => {
    const first = await admitTransform(6 * MB);
    const second = watch(admitTransform(6 * MB));
    // Would fit beside the first, but does not overtake the job waiting before it.
    const third = watch(admitTransform(1 * MB));
    await flush();
    expect([second.settled, third.settled]).toEqual([false, false]);
    first.release();
    await flush();
    expect([second.settled, third.settled]).toEqual([true, true]);
    second.value!.release();
    third.value!.release();
  });

  it('jobs beyond MAX_CONCURRENT_TRANSFORMS wait for a slot even when memory is free; beyond MAX_QUEUED_TRANSFORMS they get 503', async () => {
    const running = [await admitTransform(MB), await admitTransform(MB)];
    const waiting = [watch(admitTransform(MB)), watch(admitTransform(MB))];
    await expect(admitTransform(MB)).rejects.toMatchObject({ status: 503, code: 'EBUSY', headers: { 'retry-after': '1', 'cache-control': 'no-store' } });
    await flush();
    expect(waiting.map((w) => w.settled)).toEqual([false, false]);
    running[0].release();
    await flush();
    expect(waiting.map((w) => w.settled)).toEqual([true, false]);
    running[1].release();
    await flush();
    expect(waiting.map((w) => w.settled)).toEqual([true, true]);
    for (const w of waiting) w.value!.release();
  });

  it('a job that waits longer than QUEUE_TIMEOUT_MS gets 503 EBUSY with Retry-After, and leaves the queue', async () => {
    jest.useFakeTimers();
    try {
      const all = await admitTransform(10 * MB);
      const late = watch(admitTransform(MB));
      jest.advanceTimersByTime(300);
      await Promise.resolve();
      await Promise.resolve();
      expect((late.error as IkError | undefined)?.status).toBe(503);
      expect((late.error as IkError).message).toMatch(/within 300 ms/);
      all.release();
    } finally {
      jest.useRealTimers();
    }
    const next = await admitTransform(10 * MB);
    next.release();
  });

  it('the waits of one request share one QUEUE_TIMEOUT_MS: a transform admission after a long download wait gives up at the request\'s deadline', async () => {
    jest.useFakeTimers();
    // setImmediate is faked too: let pending promise callbacks run instead.
    const settle = async () => {
      for (let i = 0; i < 10; i++) await Promise.resolve();
    };
    const limiter = createTransformLimiter({ memoryBudgetMb: 10, maxConcurrentTransforms: 2, maxQueuedTransforms: 2, queueTimeoutMs: 300, downloadBudgetMb: 1 });
    try {
      const busyDownloads = limiter.downloadMemory();
      await busyDownloads.reserve(MB);
      const busyTransforms = await limiter.admitTransform(10 * MB);
      const outcome = watch(
        limiter.forRequest(async () => {
          const memory = limiter.downloadMemory();
          await memory.reserve(MB);
          return limiter.admitTransform(MB);
        }),
      );
      // The download waits 200 ms of the request's 300 for memory ...
      jest.advanceTimersByTime(200);
      busyDownloads.release();
      await settle();
      expect(outcome.settled).toBe(false);
      // ... so the transform may wait only the 100 ms left, not a queue timeout of its own.
      jest.advanceTimersByTime(100);
      await settle();
      expect((outcome.error as IkError | undefined)?.status).toBe(503);
      busyTransforms.release();
      // Outside a request, the same wait gets the whole queue timeout.
      const all = await limiter.admitTransform(10 * MB);
      const alone = watch(limiter.admitTransform(MB));
      jest.advanceTimersByTime(299);
      await settle();
      expect(alone.settled).toBe(false);
      all.release();
      await settle();
      expect(alone.settled).toBe(true);
      alone.value!.release();
    } finally {
      jest.useRealTimers();
    }
  });

  it('a running job grows without waiting: within the free memory, else 503 EBUSY, or 400 ELIMIT over the whole budget', async () => {
    const job = await admitTransform(4 * MB);
    job.reserve(8 * MB);
    const other = await admitTransform(2 * MB);
    expect(() => job.reserve(9 * MB)).toThrow(expect.objectContaining({ status: 503, code: 'EBUSY' }));
    expect(() => job.reserve(11 * MB)).toThrow(expect.objectContaining({ status: 400, code: 'ELIMIT' }));
    // A smaller peak than the one held changes nothing.
    job.reserve(MB);
    // The running job keeps its 8 MB peak, so 3 MB more fits only once it ends.
    const blocked = watch(admitTransform(3 * MB));
    await flush();
    expect(blocked.settled).toBe(false);
    other.release();
    await flush();
    expect(blocked.settled).toBe(false);
    job.release();
    await flush();
    expect(blocked.settled).toBe(true);
    blocked.value!.release();
  });

  it('releasing twice frees the memory once', async () => {
    const job = await admitTransform(10 * MB);
    job.release();
    job.release();
    const whole = await admitTransform(10 * MB);
    const small = watch(admitTransform(MB));
    await flush();
    expect(small.settled).toBe(false);
    whole.release();
    await flush();
    expect(small.settled).toBe(true);
    small.value!.release();
  });
});

describe('cost model: what render reserves', () => {
  const options: RenderOptions = renderOptions();

  /** Renders with an admission that records the first reservation, the largest and the releases, without a budget. */
  async function reservations(input: Buffer, transformation: string, limit = Infinity) {
    const seen = { admitted: 0, peak: 0, releases: 0 };
    const admit = async (bytes: number): Promise<Admission> => {
      Object.assign(seen, { admitted: bytes, peak: bytes });
      return {
        reserve: (more) => {
          if (more > limit) throw new Error('over the test limit');
          seen.peak = Math.max(seen.peak, more);
        },
        release: () => seen.releases++,
      };
    };
    const result = await render(input, parseTransformation(transformation), { ...options, admit }).catch((error: Error) => error);
    return { ...seen, result };
  }

  let png: Buffer;
  const decoded = 2000 * 2000 * 4;
  beforeAll(async () => {
    png = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#204080' } }).png().toBuffer();
  });

  it('reserves the decoded pixels before decoding; less when the image is resized as it decodes', async () => {
    const whole = await reservations(png, 'bl-2');
    const streamed = await reservations(png, 'w-100');
    expect(whole.admitted).toBeGreaterThanOrEqual(decoded);
    expect(streamed.admitted).toBeGreaterThanOrEqual(decoded / 4);
    expect(streamed.admitted).toBeLessThan(whole.admitted);
  });

  it('reserves more for inputs decoded whole with large decoder buffers (AVIF) than for streamed ones (JPEG)', async () => {
    const jpeg = await sharp(png).jpeg().toBuffer();
    const avif = await sharp(png).avif({ effort: 0 }).toBuffer();
    const fromJpeg = await reservations(jpeg, 'w-100');
    const fromAvif = await reservations(avif, 'w-100');
    expect(fromAvif.admitted - avif.length).toBeGreaterThanOrEqual(4 * decoded);
    expect(fromAvif.admitted - avif.length).toBeGreaterThan(fromJpeg.admitted - jpeg.length);
  });

  it('grows as steps draw larger pictures (input, output and working copy), and for the encoder of the format', async () => {
    const padded = await reservations(png, 'w-100:w-3000,h-3000,cm-pad_resize,f-jpg');
    expect(padded.peak).toBeGreaterThanOrEqual(3 * 3000 * 3000 * 4);
    const jpeg = await reservations(png, 'f-jpg');
    const webp = await reservations(png, 'f-webp');
    expect(webp.peak).toBeGreaterThanOrEqual(decoded + 2000 * 2000 * 40);
    expect(webp.peak).toBeGreaterThan(jpeg.peak);
  });

  it('counts every frame of an animation', async () => {
    const frames = 6;
    const strip = Buffer.concat(Array.from({ length: frames }, (_, i) => Buffer.alloc(100 * 100 * 4, 40 * i + 1)));
    const gif = await sharp(strip, { raw: { width: 100, height: 100 * frames, channels: 4, pageHeight: 100 } }).gif().toBuffer();
    const { pages } = await sharp(gif).metadata();
    const animated = await reservations(gif, 'bl-1');
    const still = await reservations(await sharp(gif).png().toBuffer(), 'bl-1');
    expect(pages).toBeGreaterThan(1);
    expect(animated.admitted - gif.length).toBeGreaterThanOrEqual(pages! * 100 * 100 * 4);
    expect(animated.admitted - gif.length).toBeGreaterThan(still.admitted - gif.length);
  });

  it('releases once, also when the job fails', async () => {
    const ok = await reservations(png, 'w-50');
    expect(ok.releases).toBe(1);
    const failed = await reservations(png, 'w-100:w-3000,h-3000,cm-pad_resize', 50 * 2 ** 20);
    expect(failed.result).toBeInstanceOf(Error);
    expect(failed.releases).toBe(1);
  });
});
