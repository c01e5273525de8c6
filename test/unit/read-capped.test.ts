import { IkError } from '../../shared/http/errors';
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
