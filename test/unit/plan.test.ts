import { IkError } from '../../shared/http/errors';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { planGeometry, sizeAfter } from '../../shared/transform/plan';
import type { Size } from '../../shared/transform/grammar/model';

const plant = { width: 640, height: 865 };
const plan = (text: string, input: Size = plant, original: Size = input) => planGeometry(parseTransformation(text)[0], { original, input });
const size = (text: string, input: Size = plant) => sizeAfter(plan(text, input), input);
const BLACK = { r: 0, g: 0, b: 0, alpha: 1 };

describe('resize planner, against ImageKit documented examples (640x865 original)', () => {
  it.each([
    ['w-300,h-200', [{ op: 'cover', width: 300, height: 200, focus: 'center' }]],
    ['w-300,h-200,c-maintain_ratio', [{ op: 'cover', width: 300, height: 200, focus: 'center' }]],
    ['w-300,h-200,c-force', [{ op: 'resize', width: 300, height: 200 }]],
    ['w-300,h-200,c-at_max', [{ op: 'resize', width: 148, height: 200 }]],
    ['w-300,h-200,c-at_least', [{ op: 'resize', width: 300, height: 405 }]],
    ['w-850,h-1000,c-at_max_enlarge', [{ op: 'resize', width: 740, height: 1000 }]],
    ['w-300,h-200,fo-top_left', [{ op: 'cover', width: 300, height: 200, focus: 'top_left' }]],
    ['w-300,h-200,fo-auto', [{ op: 'cover', width: 300, height: 200, focus: 'auto' }]],
  ])('%s gives %o', (text, expected) => {
    expect(plan(text)).toEqual(expected);
  });

  it('c-at_max never enlarges: a box larger than the original keeps it', () => {
    expect(plan('w-1000,h-1000,c-at_max')).toEqual([]);
    expect(plan('w-1000,c-at_max')).toEqual([]);
  });

  it('c-maintain_ratio_no_enlarge crops to the aspect ratio at most at full size', () => {
    expect(plan('w-300,h-200,c-maintain_ratio_no_enlarge')).toEqual([{ op: 'cover', width: 300, height: 200, focus: 'center' }]);
    // Covering 1280x1000 needs 2x; halved, the box is 640x500, cut from the original unscaled.
    expect(plan('w-1280,h-1000,c-maintain_ratio_no_enlarge')).toEqual([{ op: 'cover', width: 640, height: 500, focus: 'center' }]);
    expect(plan('w-2000,c-maintain_ratio_no_enlarge')).toEqual([]);
  });

  it('one side keeps the aspect ratio and may enlarge', () => {
    expect(plan('w-320')).toEqual([{ op: 'resize', width: 320, height: 433 }]);
    expect(plan('h-1730')).toEqual([{ op: 'resize', width: 1280, height: 1730 }]);
  });

  it('fractions are of the input side', () => {
    expect(plan('w-0.5')).toEqual([{ op: 'resize', width: 320, height: 433 }]);
    expect(size('w-0.5,h-0.5')).toEqual({ width: 320, height: 433 });
  });

  it('ar completes one side and is ignored with both', () => {
    expect(size('w-400,ar-4-3')).toEqual({ width: 400, height: 300 });
    expect(size('h-300,ar-2_1')).toEqual({ width: 600, height: 300 });
    expect(size('w-400,h-100,ar-4-3')).toEqual({ width: 400, height: 100 });
  });

  it('dpr multiplies the box, and is ignored when a side would pass 5000', () => {
    expect(size('w-300,h-200,dpr-2')).toEqual({ width: 600, height: 400 });
    expect(size('w-3000,dpr-2')).toEqual({ width: 3000, height: 4055 });
  });

  it('no size parameters, no resize', () => {
    expect(plan('q-50')).toEqual([]);
  });
});

describe('arithmetic expressions in sizes', () => {
  it('iw, ih are the original; cw, ch the step input', () => {
    expect(size('w-iw_div_2,h-ih_div_4', { width: 100, height: 100 })).toEqual({ width: 50, height: 25 });
    expect(plan('w-cw_mul_0.5', { width: 200, height: 100 }, { width: 1000, height: 500 })).toEqual([{ op: 'resize', width: 100, height: 50 }]);
    expect(plan('w-iw_mul_0.1', { width: 200, height: 100 }, { width: 1000, height: 500 })).toEqual([{ op: 'resize', width: 100, height: 50 }]);
    expect(size('h-300,ar-iar', plant)).toEqual({ width: 222, height: 300 });
  });

  it('bw outside a layer is a 400 naming it', () => {
    expect(() => plan('w-bw_div_2')).toThrow(IkError);
  });
});

describe('crop modes', () => {
  it('cm-pad_resize fits the whole image and pads with bg (default black), centred', () => {
    expect(plan('w-300,h-300,cm-pad_resize', { width: 200, height: 100 })).toEqual([
      { op: 'resize', width: 300, height: 150 },
      { op: 'extend', left: 0, right: 0, top: 75, bottom: 75, background: BLACK },
    ]);
  });

  it('fo-left / fo-top put the image on that side: all padding on the opposite one', () => {
    const [, pad] = plan('w-300,h-100,cm-pad_resize,fo-left,bg-F3F3F3', { width: 200, height: 100 });
    expect(pad).toEqual({ op: 'extend', left: 0, right: 100, top: 0, bottom: 0, background: { r: 243, g: 243, b: 243, alpha: 1 } });
    const [, bottom] = plan('w-100,h-300,cm-pad_resize,fo-bottom', { width: 100, height: 100 });
    expect(bottom).toMatchObject({ top: 200, bottom: 0 });
  });

  it('cm-pad_resize_no_enlarge pads a small image without enlarging it', () => {
    expect(plan('w-300,h-300,cm-pad_resize_no_enlarge', { width: 200, height: 100 })).toEqual([
      { op: 'resize', width: 200, height: 100 },
      { op: 'extend', left: 50, right: 50, top: 100, bottom: 100, background: BLACK },
    ]);
  });

  it('cm-extract cuts without resizing: centre by default, fo, x/y, xc/yc', () => {
    const input = { width: 600, height: 600 };
    expect(plan('w-200,h-200,cm-extract', input)).toEqual([{ op: 'extract', left: 200, top: 200, width: 200, height: 200 }]);
    expect(plan('w-200,h-200,cm-extract,fo-bottom_right', input)).toEqual([{ op: 'extract', left: 400, top: 400, width: 200, height: 200 }]);
    expect(plan('w-300,h-300,cm-extract,x-100,y-300', input)).toEqual([{ op: 'extract', left: 100, top: 300, width: 300, height: 300 }]);
    expect(plan('w-200,h-200,cm-extract,xc-300,yc-400', input)).toEqual([{ op: 'extract', left: 200, top: 300, width: 200, height: 200 }]);
    expect(plan('w-200,h-200,cm-extract,x-iw_div_2', input)).toEqual([{ op: 'extract', left: 300, top: 200, width: 200, height: 200 }]);
  });

  it('cm-extract: x/y past the edge are clamped, xc/yc past the edge fail', () => {
    const input = { width: 600, height: 600 };
    expect(plan('w-200,h-200,cm-extract,x-550', input)).toEqual([{ op: 'extract', left: 400, top: 200, width: 200, height: 200 }]);
    expect(() => plan('w-200,h-200,cm-extract,xc-50', input)).toThrow(IkError);
  });

  it('cm-pad_extract on 600x600 at 700x700 pads 50 on each side (ImageKit example)', () => {
    expect(plan('w-700,h-700,cm-pad_extract,bg-F3F3F3', { width: 600, height: 600 })).toEqual([
      { op: 'extract', left: 0, top: 0, width: 600, height: 600 },
      { op: 'extend', left: 50, right: 50, top: 50, bottom: 50, background: { r: 243, g: 243, b: 243, alpha: 1 } },
    ]);
  });
});
