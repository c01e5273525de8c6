import { IkError } from '../../shared/http/errors';
import { chooseFormat } from '../../shared/transform/format';

const jpeg = { format: 'jpeg', hasAlpha: false };
const png = { format: 'png', hasAlpha: true };
const chrome = 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8';

describe('output format', () => {
  it('explicit f wins and is not negotiated', () => {
    expect(chooseFormat('png', jpeg, chrome, true)).toEqual({ format: 'png', negotiated: false });
  });

  it('auto picks WebP when accepted, AVIF only when enabled', () => {
    expect(chooseFormat(undefined, jpeg, chrome, false)).toEqual({ format: 'webp', negotiated: true });
    expect(chooseFormat('auto', jpeg, chrome, true)).toEqual({ format: 'avif', negotiated: true });
  });

  it('without WebP support: PNG for alpha, JPEG otherwise', () => {
    expect(chooseFormat(undefined, png, 'image/*', false)).toEqual({ format: 'png', negotiated: true });
    expect(chooseFormat(undefined, jpeg, '', false)).toEqual({ format: 'jpeg', negotiated: true });
    expect(chooseFormat(undefined, jpeg, 'image/webp;q=0', false)).toEqual({ format: 'jpeg', negotiated: true });
  });

  it('f-orig keeps the input format; AVIF input reads as heif', () => {
    expect(chooseFormat('orig', png, chrome, false)).toEqual({ format: 'png', negotiated: false });
    expect(chooseFormat('orig', { format: 'heif', hasAlpha: false }, chrome, false).format).toBe('avif');
  });

  it('f-gif needs a GIF input', () => {
    expect(() => chooseFormat('gif', jpeg, chrome, false)).toThrow(IkError);
    expect(chooseFormat('gif', { format: 'gif', hasAlpha: true }, chrome, false).format).toBe('gif');
  });
});
