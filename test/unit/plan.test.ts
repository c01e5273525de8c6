import { parseTransformation } from '../../shared/transform/params';
import { planResize } from '../../shared/transform/plan';

const plant = { width: 640, height: 865 };
const plan = (text: string, input = plant) => planResize(parseTransformation(text)[0], input);

describe('resize planner, against ImageKit documented examples (640x865 original)', () => {
  it.each([
    ['w-300,h-200', { width: 300, height: 200, fit: 'cover' }],
    ['w-300,h-200,c-maintain_ratio', { width: 300, height: 200, fit: 'cover' }],
    ['w-300,h-200,c-force', { width: 300, height: 200, fit: 'fill' }],
    ['w-300,h-200,c-at_max', { width: 148, height: 200, fit: 'fill' }],
    ['w-300,h-200,c-at_least', { width: 300, height: 405, fit: 'fill' }],
    ['w-850,h-1000,c-at_max_enlarge', { width: 740, height: 1000, fit: 'fill' }],
  ])('%s gives %o', (text, expected) => {
    expect(plan(text)).toEqual(expected);
  });

  it('c-at_max never enlarges: a box larger than the original keeps it', () => {
    expect(plan('w-1000,h-1000,c-at_max')).toBeUndefined();
    expect(plan('w-1000,c-at_max')).toBeUndefined();
  });

  it('one side keeps the aspect ratio and may enlarge', () => {
    expect(plan('w-320')).toEqual({ width: 320, height: 433, fit: 'fill' });
    expect(plan('h-1730')).toEqual({ width: 1280, height: 1730, fit: 'fill' });
  });

  it('fractions are of the input side', () => {
    expect(plan('w-0.5')).toEqual({ width: 320, height: 433, fit: 'fill' });
    expect(plan('w-0.5,h-0.5')).toEqual({ width: 320, height: 433, fit: 'cover' });
  });

  it('ar completes one side and is ignored with both', () => {
    expect(plan('w-400,ar-4-3')).toEqual({ width: 400, height: 300, fit: 'cover' });
    expect(plan('h-300,ar-2_1')).toEqual({ width: 600, height: 300, fit: 'cover' });
    expect(plan('w-400,h-100,ar-4-3')).toEqual({ width: 400, height: 100, fit: 'cover' });
  });

  it('dpr multiplies the box, and is ignored when a side would pass 5000', () => {
    expect(plan('w-300,h-200,dpr-2')).toEqual({ width: 600, height: 400, fit: 'cover' });
    expect(plan('w-3000,dpr-2')).toEqual({ width: 3000, height: 4055, fit: 'fill' });
  });

  it('no size parameters, no resize', () => {
    expect(plan('q-50')).toBeUndefined();
  });
});
