import { IkError } from '../../shared/http/errors';
import { expandNamed } from '../../shared/transform/named';

const named = new Map([
  ['thumb', { transformation: 'w-100,h-100', enabled: true }],
  ['chain', { transformation: 'w-200:rt-90', enabled: true }],
  ['off', { transformation: 'w-1', enabled: false }],
]);

describe('n-<name> expansion', () => {
  it('replaces the name in place, in any step, keeping the rest', () => {
    expect(expandNamed('n-thumb', named)).toBe('w-100,h-100');
    expect(expandNamed('q-50,n-thumb:f-png', named)).toBe('q-50,w-100,h-100:f-png');
    expect(expandNamed('n-chain:w-0.5', named)).toBe('w-200:rt-90:w-0.5');
  });

  it('leaves layer blocks alone', () => {
    expect(expandNamed('l-image,i-n-thumb.png,l-end', named)).toBe('l-image,i-n-thumb.png,l-end');
  });

  it.each([['n-missing', 'does not exist'], ['n-off', 'is disabled'], ['n-', 'does not exist']])('%s is 400: %s', (text, message) => {
    let error: unknown;
    try {
      expandNamed(text, named);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IkError);
    expect((error as IkError).status).toBe(400);
    expect((error as IkError).message).toContain(message);
  });
});
