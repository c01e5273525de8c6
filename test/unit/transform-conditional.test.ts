import { IkError } from '../../shared/http/errors';
import { holds, readCondition } from '../../shared/transform/conditional';
import { canonicalTransformation, parseTransformation } from '../../shared/transform/params';

const canonical = (text: string) => canonicalTransformation(parseTransformation(text));
const status = (text: string): string | undefined => {
  try {
    parseTransformation(text);
    return undefined;
  } catch (error) {
    return error instanceof IkError ? `${error.status} ${error.code}` : 'not an IkError';
  }
};

describe('conditionals: if-<condition>,…[,if-else,…],if-end', () => {
  it('parses the condition and both branches, each a chain', () => {
    const [step] = parseTransformation('if-w_gt_500,w-100:rt-90,if-else,w-50,if-end');
    expect(step.if?.condition).toEqual([[{ prop: 'w', op: 'gt', value: 500 }]]);
    expect(step.if?.then).toEqual([{ w: { px: 100 } }, { rt: 90 }]);
    expect(step.if?.else).toEqual([{ w: { px: 50 } }]);
  });

  it('and binds tighter than or; ar values may be fractions', () => {
    expect(readCondition('h_gte_100_and_h_lte_400_or_ar_lt_4-3')).toEqual([
      [
        { prop: 'h', op: 'gte', value: 100 },
        { prop: 'h', op: 'lte', value: 400 },
      ],
      [{ prop: 'ar', op: 'lt', value: 4 / 3 }],
    ]);
  });

  it.each([
    ['w_gt_500', { width: 640, height: 865 }, true],
    ['w_gt_500', { width: 200, height: 100 }, false],
    // (h >= 100 and h <= 400) or ar < 4/3
    ['h_gte_100_and_h_lte_400_or_ar_lt_4-3', { width: 1000, height: 300 }, true],
    ['h_gte_100_and_h_lte_400_or_ar_lt_4-3', { width: 1000, height: 500 }, false],
    ['h_gte_100_and_h_lte_400_or_ar_lt_4-3', { width: 100, height: 500 }, true],
    // Read left to right as (w = 1 or w = 2) and h = 3, this would be false; and first makes it w = 1 or (w = 2 and h = 3).
    ['w_eq_1_or_w_eq_2_and_h_eq_3', { width: 1, height: 9 }, true],
    ['w_eq_2_and_h_eq_3_or_w_eq_1', { width: 2, height: 9 }, false],
    ['ar_eq_4-3', { width: 400, height: 300 }, true],
    ['ar_ne_4-3', { width: 400, height: 300 }, false],
    ['iw_lt_1000_and_ih_lte_800_and_iar_gt_1', { width: 1, height: 1 }, true],
  ])('%s on %o is %s (original 900x800)', (text, current, expected) => {
    expect(holds(readCondition(text), current, { width: 900, height: 800 })).toBe(expected);
  });

  it('canonical form round-trips, branches canonical too', () => {
    const once = canonical('if-ar_lt_4-3_or_w_gte_10_and_ih_ne_N1,h-200,c-maintain_ratio,w-100:rt-N90,if-else,e-grayscale,if-end:q-50');
    expect(once).toBe('if-ar_lt_1.3333333333333333_or_w_gte_10_and_ih_ne_N1,h-200,w-100:rt-270,if-else,e-grayscale,if-end:q-50');
    expect(canonical(once)).toBe(once);
    expect(canonical('if-w_gt_1,if-else,w-5,if-end')).toBe('if-w_gt_1,if-else,w-5,if-end');
    expect(canonical('if-w_gt_1,w-5,if-else,if-end')).toBe('if-w_gt_1,w-5,if-end');
  });

  it('conditionals nest', () => {
    const text = 'if-w_gt_100,if-h_gt_100,w-50,if-else,w-60,if-end,if-else,w-70,if-end';
    const [step] = parseTransformation(text);
    expect(step.if?.then[0].if?.else).toEqual([{ w: { px: 60 } }]);
    expect(canonical(text)).toBe(text);
  });

  it.each([
    ['h-100,if-w_gt_1,w-5,if-end', '400 EBADPARAM'],
    ['if-w_gt_1,w-5,if-end,h-100', '400 EBADPARAM'],
    ['if-x_gt_1,w-5,if-end', '400 EBADPARAM'],
    ['if-w_bigger_1,w-5,if-end', '400 EBADPARAM'],
    ['if-w_gt_a,w-5,if-end', '400 EBADPARAM'],
    ['if-w_gt_1_xor_h_gt_1,w-5,if-end', '400 EBADPARAM'],
    ['if-w_gt_1_and,w-5,if-end', '400 EBADPARAM'],
    ['if-w_gt,w-5,if-end', '400 EBADPARAM'],
    ['if-,w-5,if-end', '400 EBADPARAM'],
    ['if-w_gt_1,w-5,if-else,w-1,if-else,w-2,if-end', '400 EBADPARAM'],
    ['if-w_gt_1,w-5,l-end', '400 EBADPARAM'],
    ['if-else,w-5', '400 EBADPARAM'],
    ['if-w_gt_1,w-5', '400 EBADPARAM'],
    ['if-w_gt_1,w-5,zz-1,if-end', '400 EBADPARAM'],
    ['if-w_gt_1,f-png,if-end', '400 EUNSUPPORTED'],
    ['if-w_gt_1,w-auto,if-end', '400 EUNSUPPORTED'],
  ])('%s is %s', (text, expected) => {
    expect(status(text)).toBe(expected);
  });
});
