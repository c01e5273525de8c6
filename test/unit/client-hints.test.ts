import { applyClientHints, readClientHints } from '../../shared/transform/client-hints';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { canonicalTransformation } from '../../shared/transform/grammar/print';

const hinted = (tr: string, width?: number, dpr?: number) => applyClientHints(parseTransformation(tr), { width, dpr });

describe('client hints, as ImageKit documents them', () => {
  it('w-100,dpr-auto with Sec-CH-DPR 2 is w-100 at dpr 2', () => {
    expect(hinted('w-100,dpr-auto', undefined, 2)).toEqual({ steps: [{ w: { px: 100 }, dpr: 2 }], contentDpr: undefined, vary: ['Sec-CH-DPR'] });
  });

  it('w-auto,dpr-auto with DPR 2 and Width 600 is 600 px: the width already includes the DPR', () => {
    expect(hinted('w-auto,dpr-auto', 600, 2).steps).toEqual([{ w: { px: 600 } }]);
  });

  it('w-auto rounds up to the next 100 and reports Content-DPR (212 at DPR 2 gives 300 and 2.83)', () => {
    expect(hinted('w-auto', 212, 2)).toEqual({ steps: [{ w: { px: 300 } }], contentDpr: 2.83, vary: ['Sec-CH-Width', 'Sec-CH-DPR'] });
    expect(hinted('w-auto', 150).steps).toEqual([{ w: { px: 200 } }]);
  });

  it('without hints, w-auto sets no width and dpr-auto is 1', () => {
    expect(hinted('w-auto,h-50').steps).toEqual([{ h: { px: 50 } }]);
    expect(hinted('w-100,dpr-auto').steps).toEqual([{ w: { px: 100 } }]);
  });

  it('keeps w-auto and dpr-auto in the canonical form, and reads the legacy header names too', () => {
    expect(canonicalTransformation(parseTransformation('dpr-auto,w-auto'))).toBe('dpr-auto,w-auto');
    const headers = new Headers({ width: '320', dpr: '1.5' });
    expect(readClientHints(headers)).toEqual({ width: 320, dpr: 1.5 });
    expect(readClientHints(new Headers({ 'sec-ch-dpr': 'x', 'sec-ch-width': '-3' }))).toEqual({ width: undefined, dpr: undefined });
  });
});
