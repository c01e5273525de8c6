import { IkError } from '../../shared/http/errors';
import { holds, readCondition } from '../../shared/transform/conditional';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { canonicalTransformation } from '../../shared/transform/grammar/print';

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

describe('layers: l-image and l-text,…,l-end', () => {
  it('reads input, position and the layer\'s own chain; t and bg of the first step belong to the layer', () => {
    const [step] = parseTransformation('w-300,l-image,i-logos@@logo.png,lx-N35,ly-bh_sub_ch,t-false,w-100:rt-90,l-end');
    expect(step.w).toEqual({ px: 300 });
    const [layer] = step.layers!;
    expect(layer).toMatchObject({ input: 'logos/logo.png', lx: -35, trim: 0, steps: [{ w: { px: 100 } }, { rt: 90 }] });
    expect(layer.ly).toEqual({ operands: ['bh', 'ch'], operators: ['sub'] });
    const [canvas] = parseTransformation('l-image,i-ik_canvas,bg-FF000050,w-bw_div_2,h-10,l-end')[0].layers!;
    expect(canvas).toMatchObject({ input: 'ik_canvas', fill: { r: 255, g: 0, b: 0, alpha: 0.5 }, steps: [{ w: { expr: { operands: ['bw', 2] } }, h: { px: 10 } }] });
  });

  it('ie- is base64 of the path, written canonically as i-', () => {
    const ie = Buffer.from('logos/logo.png').toString('base64');
    expect(canonical(`l-image,ie-${encodeURIComponent(ie)},l-end`)).toBe('l-image,i-logos@@logo.png,l-end');
  });

  it.each([
    ['l-image,lfo-center,i-a.png,l-end', 'l-image,i-a.png,l-end'],
    ['l-image,i-a.png,lap-top_left,lx-10,l-end', 'l-image,i-a.png,lx-10,l-end'],
    ['l-image,i-a.png,t-true,l-end', 'l-image,i-a.png,l-end'],
    ['l-image,i-a.png,t-false,l-end', 'l-image,i-a.png,t-false,l-end'],
    ['l-image,i-a.png,t-20,l-end', 'l-image,i-a.png,t-20,l-end'],
    ['l-image,i-a.png:t-20,l-end', 'l-image,i-a.png:t-20,l-end'],
    ['l-image,i-my%20logo.png,l-end', 'l-image,i-my%20logo.png,l-end'],
    ['h-10,l-image,i-ik_canvas,w-5,bg-red,lfo-bottom,l-end,l-image,i-b.png,l-end', 'h-10,l-image,i-ik_canvas,lfo-bottom,bg-FF0000,w-5,l-end,l-image,i-b.png,l-end'],
    ['l-image,i-a.png,w-10,lxc-bw_div_2,l-image,i-b.png,l-image,i-c.png,l-end,l-end,l-end', 'l-image,i-a.png,lxc-bw_div_2,w-10,l-image,i-b.png,l-image,i-c.png,l-end,l-end,l-end'],
    ['l-text,i-overlay%20made%20easy,fs-45,bg-FFFFFF50,pa-25_50_75_100,l-end', 'l-text,i-overlay%20made%20easy,fs-45,pa-25_50_75_100,bg-FFFFFF50,l-end'],
    [`l-text,ie-${encodeURIComponent(Buffer.from('a,b:c@@d').toString('base64'))},l-end`, 'l-text,i-a%2Cb%3Ac%40%40d,l-end'],
    ['l-text,i-Hi,w-bw_div_2,tg-i_b,ia-center,co-red,ff-DejaVu_Sans,lh-30,pa-bw_div_10,t-true:rt-90,l-end', 'l-text,i-Hi,ff-DejaVu_Sans,co-FF0000,pa-bw_div_10,tg-b_i,lh-30,w-bw_div_2,t-true:rt-90,l-end'],
  ])('%s is written %s, and that again the same', (text, expected) => {
    expect(canonical(text)).toBe(expected);
    expect(canonical(expected)).toBe(expected);
  });

  it.each([
    ['l-image,l-end', '400 EBADPARAM'],
    ['l-image,i-a.png,lx-x,l-end', '400 EBADPARAM'],
    ['l-image,i-a.png,lx-1,lxc-2,l-end', '400 EBADPARAM'],
    ['l-image,i-a.png,lfo-middle,l-end', '400 EBADPARAM'],
    ['l-image,i-a.png,lx-1,lx-2,l-end', '400 EBADPARAM'],
    // ImageKit ignores i when ie is there too.
    ['l-image,i-a.png,ie-YS5wbmc=,l-end', undefined],
    ['l-image,i-@@..@@secret.png,l-end', '400 EBADPARAM'],
    ['l-image,i-ik_canvas,w-10,l-end', '400 EBADPARAM'],
    ['l-image,i-a.png,if-end', '400 EBADPARAM'],
    ['lx-10', '400 EBADPARAM'],
    ['i-a.png', '400 EBADPARAM'],
    ['l-image,i-a.png,l-image,i-b.png,l-image,i-c.png,l-image,i-d.png,l-end,l-end,l-end,l-end', '400 EBADPARAM'],
    ['l-image,i-a.png,f-png,l-end', '400 EUNSUPPORTED'],
    ['l-image,i-a.png,lm-screen,l-end', '400 EBADPARAM'],
    ['l-image,i-a.png,q-50,l-end', undefined],
    ['l-text,l-end', '400 EBADPARAM'],
    ['l-text,i-Hi,fs-0,l-end', '400 EBADPARAM'],
    ['l-text,i-Hi,tg-u,l-end', '400 EBADPARAM'],
    ['l-text,i-Hi,ia-justify,l-end', '400 EBADPARAM'],
    ['l-text,i-Hi,pa-1_2_3_4_5,l-end', '400 EBADPARAM'],
    ['l-text,i-Hi,ff-a;b,l-end', '400 EBADPARAM'],
    ['l-text,i-Hi,bg-dominant,l-end', '400 EBADPARAM'],
    ['l-image,i-a.png,co-red,l-end', '400 EBADPARAM'],
    ['l-text,i-Hi,ff-@@fonts@@a.ttf,l-end', undefined],
    ['l-text,i-Hi,ff-fonts@@a.svg,l-end', '400 EBADPARAM'],
    ['l-text,i-Hi,al-5,l-end', undefined],
  ])('%s is %s', (text, expected) => {
    expect(status(text)).toBe(expected);
  });
});
