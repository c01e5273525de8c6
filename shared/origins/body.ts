import { type IkError, overLimit } from '../http/errors';
import type { FetchLimits } from './types';

export function tooLarge(maxBytes: number, size?: number): IkError {
  return overLimit(size === undefined ? `The original is larger than ${maxBytes} bytes` : `The original is ${size} bytes, more than ${maxBytes}`);
}

/** Ends a fetch at its deadline, or earlier when its caller abandons it. */
export function fetchSignal(limits: FetchLimits): AbortSignal {
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  return limits.abandon ? AbortSignal.any([deadline, limits.abandon]) : deadline;
}

/** A body of unknown length reserves memory in steps of at least this much, not chunk by chunk. */
const RESERVE_STEP = 1024 * 1024;

/**
 * Reads a body into memory, refusing it as soon as it passes `maxBytes`, whatever its declared length said. With a
 * declared length the bytes go straight into one buffer of that size, so a large original is held once, not twice.
 * `reserve` is asked for the memory before the bytes arrive: the declared length at once, else step by step.
 */
export async function readCapped(stream: AsyncIterable<unknown>, maxBytes: number, declaredLength?: number, reserve?: (bytes: number) => Promise<void>): Promise<Buffer> {
  let held = 0;
  const hold = async (bytes: number, step: number) => {
    if (!reserve || bytes <= held) return;
    const more = Math.max(bytes - held, step);
    await reserve(more);
    held += more;
  };
  const declared = declaredLength !== undefined && declaredLength >= 0 && declaredLength <= maxBytes;
  if (declared) await hold(declaredLength, 0);
  const target = declared ? Buffer.allocUnsafe(declaredLength) : undefined;
  const overflow: Buffer[] = [];
  let copied = 0;
  let total = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    total += buf.length;
    if (total > maxBytes) throw tooLarge(maxBytes);
    await hold(total, RESERVE_STEP);
    if (target && overflow.length === 0 && copied + buf.length <= target.length) {
      buf.copy(target, copied);
      copied += buf.length;
    } else {
      overflow.push(buf);
    }
  }
  if (!target) return Buffer.concat(overflow);
  // A body longer or shorter than declared keeps exactly what arrived, in order.
  return overflow.length === 0 && copied === target.length ? target : Buffer.concat([target.subarray(0, copied), ...overflow]);
}
