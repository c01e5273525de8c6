import { IkError } from '../../shared/http/errors';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { canonicalTransformation } from '../../shared/transform/grammar/print';

function errorOf(text: string): IkError {
  try {
    parseTransformation(text);
  } catch (error) {
    if (error instanceof IkError) return error;
    throw error;
  }
  throw new Error(`"${text}" parsed without error`);
}

describe('transformation parser', () => {
  it('reads pixels, fractions, aspect ratio, crop, quality, format and orig', () => {
    expect(parseTransformation('w-300,h-0.5,ar-4-3,c-at_max,q-55,f-jpg,orig-true')).toEqual([
      { w: { px: 300 }, h: { fraction: 0.5 }, ar: 4 / 3, c: 'at_max', q: 55, f: 'jpeg', orig: true },
    ]);
  });

  it('accepts ar with an underscore, as ImageKit examples write it', () => {
    expect(parseTransformation('ar-2_1,w-100')[0].ar).toBe(2);
  });

  it('splits chained steps on ":" and ignores empty parameters', () => {
    expect(parseTransformation('w-400,h-300,:c-force,w-10')).toEqual([
      { w: { px: 400 }, h: { px: 300 } },
      { c: 'force', w: { px: 10 } },
    ]);
  });

  it('matches keys by longest prefix: dpr is not di, e-sharpen-10 is e-sharpen with 10, cm is not c', () => {
    expect(parseTransformation('dpr-2,w-100')[0].dpr).toBe(2);
    expect(parseTransformation('e-sharpen-10')[0].sharpen).toBe(10);
    expect(parseTransformation('cm-extract,c-force')[0]).toEqual({ cm: 'extract', c: 'force' });
    expect(parseTransformation('di-@@a@@b.png,dpr-2,w-10')).toEqual([{ di: '@@a@@b.png', dpr: 2, w: { px: 10 } }]);
    expect(errorOf('di-@@..@@b.png').message).toContain('"di"');
  });

  it.each([
    ['zz-3', 'EBADPARAM', '"zz-3"'],
    ['w-abc', 'EBADPARAM', '"w"'],
    ['w-0', 'EBADPARAM', '"w"'],
    ['w--5', 'EBADPARAM', '"w"'],
    ['h-70000', 'ELIMIT', '"h"'],
    ['q-0', 'EBADPARAM', '"q"'],
    ['q-101', 'EBADPARAM', '"q"'],
    ['q-50.5', 'EBADPARAM', '"q"'],
    ['c-fit', 'EBADPARAM', '"c"'],
    ['f-bmp', 'EBADPARAM', '"f"'],
    ['ar-4', 'EBADPARAM', '"ar"'],
    ['ar-0-3', 'EBADPARAM', '"ar"'],
    ['dpr-9', 'EBADPARAM', '"dpr"'],
    ['orig-yes', 'EBADPARAM', '"orig"'],
    ['w-300,w-200', 'EBADPARAM', '"w"'],
    ['w-iw_dvi_2', 'EBADPARAM', '"w"'],
    ['w-iw_div', 'EBADPARAM', '"w"'],
    ['h-auto', 'EUNSUPPORTED', 'h-auto'],
    ['oi-logo.png', 'EBADPARAM', '"oi-logo.png"'],
    ['bl-101', 'EBADPARAM', '"bl"'],
    ['e-bgremove', 'EUNSUPPORTED', 'AI model'],
    ['fo-person', 'EUNSUPPORTED', 'fo-person'],
    ['z-2', 'EBADPARAM', 'fo-face'],
    ['fo-face,z-0', 'EBADPARAM', '"z"'],
    ['fo-face,z-abc', 'EBADPARAM', '"z"'],
    ['l-video,i-a.mp4,l-end', 'EUNSUPPORTED', '"l-video"'],
    ['W-300', 'EBADPARAM', '"W-300"'],
  ])('%s is refused with %s naming %s', (text, code, named) => {
    const error = errorOf(text);
    expect(error.status).toBe(400);
    expect(error.code).toBe(code);
    expect(error.message).toContain(named);
  });

  it('serialises one canonical string per meaning', () => {
    const a = canonicalTransformation(parseTransformation('w-300,h-200'));
    expect(a).toBe(canonicalTransformation(parseTransformation('h-200,w-300')));
    expect(a).toBe(canonicalTransformation(parseTransformation('h-200,w-300.0,c-maintain_ratio')));
    expect(canonicalTransformation(parseTransformation('f-jpg,w-10:q-50'))).toBe('f-jpeg,w-10:q-50');
    expect(canonicalTransformation(parseTransformation('c-maintain_ratio'))).toBe('');
    expect(a).not.toBe(canonicalTransformation(parseTransformation('w-300,h-200,c-force')));
  });
});
