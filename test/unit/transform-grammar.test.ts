import fc from 'fast-check';
import { IkError } from '../../shared/http/errors';
import { colourText, readColour } from '../../shared/transform/colour';
import { evaluate, readExpression, type Expression } from '../../shared/transform/expression';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { canonicalTransformation } from '../../shared/transform/grammar/print';
import { atPath, splitParams, splitSteps } from '../../shared/transform/tokens';

const expr = (text: string): Expression => {
  const e = readExpression(text);
  if (!e) throw new Error(`"${text}" is not an expression`);
  return e;
};

describe('tokens: steps and parameters, nesting-aware', () => {
  it('splits steps on ":" but keeps a layer\'s own chain inside it', () => {
    const text = 'w-300:l-image,i-a.png,w-bw_div_3:rt-90,l-image,i-b.png,l-end,l-end:q-50';
    expect(splitSteps(text)).toEqual(['w-300', 'l-image,i-a.png,w-bw_div_3:rt-90,l-image,i-b.png,l-end,l-end', 'q-50']);
  });

  it('a block is one parameter of its step', () => {
    expect(splitParams('w-10,l-text,i-hi,fs-20,l-end,h-5')).toEqual(['w-10', 'l-text,i-hi,fs-20,l-end', 'h-5']);
    expect(splitParams('if-w_gt_100,w-50,if-else,w-10,if-end')).toEqual(['if-w_gt_100,w-50,if-else,w-10,if-end']);
  });

  it('unbalanced blocks are 400', () => {
    expect(() => splitSteps('l-image,i-a.png')).toThrow(IkError);
    expect(() => splitSteps('w-10,l-end')).toThrow(IkError);
  });

  it('@@ stands for /', () => {
    expect(atPath('@@images@@a.png')).toBe('/images/a.png');
  });
});

describe('arithmetic expressions: ImageKit precedence (mul/div, add/sub, mod, pow)', () => {
  const vars = { iw: 400, ih: 300, cw: 200, ch: 100, iar: 4 / 3, car: 2 };
  it.each([
    ['iw_div_2', 200],
    ['iw_add_ih_mul_2', 1000],
    ['iw_sub_cw_div_2', 300],
    ['cw_mod_3_add_4', 200 % 7],
    ['2_pow_3_mul_2', 64],
    ['2_add_3_pow_2', 25],
    ['10_mod_4_pow_2', 4],
    ['N10_add_ch', 90],
    ['car_mul_0.5', 1],
  ])('%s = %d', (text, value) => {
    expect(evaluate(expr(text), vars, 'w')).toBeCloseTo(value);
  });

  it('a lone number is not an expression; junk is not one either', () => {
    expect(readExpression('5')).toBeUndefined();
    expect(readExpression('iw_plus_2')).toBeUndefined();
    expect(readExpression('iw_div')).toBeUndefined();
  });

  it('division by zero is a 400', () => {
    expect(() => evaluate(expr('iw_div_0'), vars, 'w')).toThrow(IkError);
  });
});

describe('colours', () => {
  it.each([
    ['FF0000', { r: 255, g: 0, b: 0, alpha: 1 }],
    ['aaff00', { r: 170, g: 255, b: 0, alpha: 1 }],
    ['AAFF0040', { r: 170, g: 255, b: 0, alpha: 0.4 }],
    ['AAFF0099', { r: 170, g: 255, b: 0, alpha: 0.99 }],
    ['fff', { r: 255, g: 255, b: 255, alpha: 1 }],
    ['mintcream', { r: 245, g: 255, b: 250, alpha: 1 }],
    ['Red', { r: 255, g: 0, b: 0, alpha: 1 }],
  ])('%s is %o', (text, colour) => {
    expect(readColour(text)).toEqual(colour);
  });

  it('the last two of eight characters are decimal, not hex', () => {
    expect(readColour('AAFF00A9')).toBeUndefined();
    expect(readColour('notacolour')).toBeUndefined();
    expect(colourText(readColour('aaff0040')!)).toBe('AAFF0040');
    expect(colourText(readColour('red')!)).toBe('FF0000');
  });
});

describe('parameters with sub-values and negatives', () => {
  it('reads every implemented parameter', () => {
    const [step] = parseTransformation(
      'w-iw_div_2,h-200,cm-pad_resize,fo-top_left,bg-AAFF0040,bl-10,e-grayscale,e-contrast,e-sharpen-10,e-usm-2-2-0.8-0.024,rt-N90,fl-v_h,b-5_FFF000,r-10_20_max_40,t-20,o-50,pr-true,lo-true,md-true,cp-true',
    );
    expect(step).toMatchObject({
      w: { expr: { operands: ['iw', 2], operators: ['div'] } },
      h: { px: 200 },
      cm: 'pad_resize',
      fo: 'top_left',
      bg: { r: 170, g: 255, b: 0, alpha: 0.4 },
      bl: 10,
      grayscale: true,
      contrast: true,
      sharpen: 10,
      usm: { radius: 2, sigma: 2, amount: 0.8, threshold: 0.024 },
      rt: 270,
      fl: 'h_v',
      b: { width: 5, colour: { r: 255, g: 240, b: 0, alpha: 1 } },
      r: [10, 20, 'max', 40],
      t: 20,
      o: 50,
      pr: true,
      lo: true,
      md: true,
      cp: true,
    });
  });

  it('e-shadow, e-gradient and e-colorize sub-parameters, any order, with defaults', () => {
    expect(parseTransformation('e-shadow-st-40_bl-15_y-N5')[0].shadow).toEqual({ blur: 15, saturation: 40, x: 2, y: -5 });
    expect(parseTransformation('e-shadow')[0].shadow).toEqual({ blur: 10, saturation: 30, x: 2, y: 2 });
    expect(parseTransformation('e-gradient-ld-top_right_from-red_sp-ih_div_2')[0].gradient).toMatchObject({
      direction: 45,
      from: { r: 255, g: 0, b: 0, alpha: 1 },
      to: { r: 0, g: 0, b: 0, alpha: 0 },
      stop: { operands: ['ih', 2], operators: ['div'] },
    });
    expect(parseTransformation('e-colorize-in-40')[0].colorize).toEqual({ colour: { r: 128, g: 128, b: 128, alpha: 1 }, intensity: 40 });
  });

  it('b takes an expression width with the colour last', () => {
    expect(parseTransformation('b-ih_div_20_red')[0].b).toEqual({ width: { operands: ['ih', 20], operators: ['div'] }, colour: { r: 255, g: 0, b: 0, alpha: 1 } });
    expect(parseTransformation('b-5-A94D34')[0].b).toEqual({ width: 5, colour: { r: 169, g: 77, b: 52, alpha: 1 } });
  });

  it.each(['rt-N', 'rt-400', 'fl-x', 'r-1_2', 'o-101', 'bg-AAFF00A9', 'e-shadow-zz-1', 'e-shadow-bl-20', 'e-usm-1-2', 't-100', 'cm-fill', 'b-5', 'x-N5'])('%s is 400', (text) => {
    expect(() => parseTransformation(text)).toThrow(IkError);
  });

  it('canonical form: one string per meaning, defaults dropped', () => {
    const canon = (t: string) => canonicalTransformation(parseTransformation(t));
    expect(canon('rt-N90')).toBe(canon('rt-270'));
    expect(canon('fl-v_h')).toBe(canon('fl-h_v'));
    expect(canon('bg-red,fo-center')).toBe(canon('bg-FF0000'));
    expect(canon('r-max')).toBe(canon('r-max_max_max_max'));
    expect(canon('e-shadow')).toBe(canon('e-shadow-bl-10_st-30_x-2_y-2'));
    expect(canon('t-true')).toBe(canon('t-10'));
    expect(canon('t-false,rt-0,c-maintain_ratio')).toBe('');
    expect(canon('e-grayscale-true')).toBe('e-grayscale');
  });
});

describe('properties (fast-check)', () => {
  const params = [
    'w-300', 'h-0.5', 'w-iw_div_2', 'h-ch_mul_0.8_add_10', 'ar-4-3', 'ar-iar', 'c-force', 'c-at_max', 'c-maintain_ratio_no_enlarge', 'cm-pad_resize',
    'cm-extract', 'fo-top', 'fo-auto', 'x-10', 'yc-ih_div_2', 'bg-red', 'bg-AAFF0040', 'bg-dominant', 'q-50', 'f-webp', 'pr-true', 'lo-false', 'bl-5',
    'e-grayscale', 'e-contrast', 'e-sharpen', 'e-sharpen-30', 'e-usm-2-2-0.8-0.024', 'rt-N45', 'rt-auto', 'fl-h', 'b-3_blue', 'r-max', 'r-1_2_3_4', 't-true',
    'o-40', 'e-gradient', 'e-shadow-x-N10', 'e-colorize-co-red_in-30', 'dpr-2', 'di-@@a@@b.png',
    'l-image,i-a@@b.png,lx-N10,t-false,w-20:rt-90,l-image,i-ik_canvas,bg-red,h-bh,l-end,l-end', 'l-text,i-Hi%20there,fs-bw_div_10,pa-5_10,bg-blue,l-end',
  ];
  // A step: up to five parameters with distinct keys (a key twice in one step is an error by design).
  const step = fc.uniqueArray(fc.constantFrom(...params), { minLength: 1, maxLength: 5, selector: (param) => param.split('-')[0] }).map((chosen) => chosen.join(','));
  const transformation = fc.array(step, { minLength: 1, maxLength: 3 }).map((steps) => steps.join(':'));

  it('parse, serialise, parse again gives the same canonical string', () => {
    fc.assert(
      fc.property(transformation, (text) => {
        const once = canonicalTransformation(parseTransformation(text));
        expect(canonicalTransformation(parseTransformation(once))).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('random and mutated strings either parse or give a 400 IkError, never anything else', () => {
    const pieces = ['w', 'h', '-', '_', ',', ':', 'N', '1', '0', '.', 'iw', 'div', 'l-image', 'l-end', 'e-', 'bg', 'r', 'max', 'fo', 'if-', 'n-', '@@', 'ff', 'z', 'di-'];
    const noise = fc.oneof(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((p) => p.join('')), fc.string({ maxLength: 40 }), transformation.chain((t) => fc.nat(t.length).map((cut) => t.slice(0, cut))));
    fc.assert(
      fc.property(noise, (text) => {
        try {
          parseTransformation(text);
        } catch (error) {
          expect(error).toBeInstanceOf(IkError);
          expect((error as IkError).status).toBe(400);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
