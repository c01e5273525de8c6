import { IkError } from '../http/errors';

export function tooLarge(maxBytes: number, size?: number): IkError {
  return new IkError(400, 'ELIMIT', size === undefined ? `The original is larger than ${maxBytes} bytes` : `The original is ${size} bytes, more than ${maxBytes}`);
}

/** Reads a body into memory, refusing it as soon as it passes `maxBytes`, whatever its declared length said. */
export async function readCapped(stream: AsyncIterable<unknown>, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    total += buf.length;
    if (total > maxBytes) throw tooLarge(maxBytes);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
