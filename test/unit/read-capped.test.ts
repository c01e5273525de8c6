import { busy, IkError } from '../../shared/http/errors';
import { readCapped } from '../../shared/origins/body';

async function* chunks(...parts: string[]) {
  for (const part of parts) yield Buffer.from(part);
}

describe('readCapped', () => {
  it('returns exactly the bytes that arrived, whatever the declared length said', async () => {
    expect((await readCapped(chunks('ab', 'cd'), 100, 4)).toString()).toBe('abcd');
    expect((await readCapped(chunks('ab', 'cd'), 100, 3)).toString()).toBe('abcd');
    expect((await readCapped(chunks('ab', 'c'), 100, 6)).toString()).toBe('abc');
    expect((await readCapped(chunks('ab', 'cd'), 100)).toString()).toBe('abcd');
    expect((await readCapped(chunks('ab', 'cd', 'e'), 100, 4)).toString()).toBe('abcde');
  });

  it('refuses a body as soon as it passes the limit, declared or not', async () => {
    await expect(readCapped(chunks('abc', 'def'), 5, 4)).rejects.toBeInstanceOf(IkError);
    await expect(readCapped(chunks('abc', 'def'), 5)).rejects.toMatchObject({ code: 'ELIMIT' });
  });
});

describe('readCapped with a memory reservation', () => {
  it('reserves a declared length before reading, and a body of unknown length in steps as it grows', async () => {
    const asked: number[] = [];
    const reserve = async (bytes: number) => void asked.push(bytes);
    expect((await readCapped(chunks('ab', 'cd'), 100, 4, reserve)).toString()).toBe('abcd');
    expect(asked).toEqual([4]);
    asked.length = 0;
    const big = 'x'.repeat(700 * 1024);
    await readCapped(chunks(big, big, big), 10 * 1024 * 1024, undefined, reserve);
    // 1 MiB steps: enough for 2.1 MB of body in three reservations, none per chunk.
    expect(asked).toEqual([1024 * 1024, 1024 * 1024, 1024 * 1024]);
  });

  it('a refused reservation stops the read', async () => {
    const refuse = () => Promise.reject(busy('no room', 1));
    await expect(readCapped(chunks('ab'), 100, 2, refuse)).rejects.toMatchObject({ code: 'EBUSY' });
  });
});
