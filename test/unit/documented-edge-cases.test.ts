import sharp from 'sharp';
import { IkError } from '../../shared/http/errors';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { canonicalTransformation } from '../../shared/transform/grammar/print';
import { render, type RenderOptions } from '../../shared/transform/render';

Object.assign(process.env, { PRIVATE_API_KEY: 'private_unit_edge_cases_key', STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' });

const options: RenderOptions = { accept: '', autoAvif: false, defaultQuality: 80, maxInputPixels: 100_000_000, loadLayer: async () => { throw new Error('no image layers here'); } };

/** 200x100: left half red, right half blue. */
const halves = () =>
  sharp({ create: { width: 200, height: 100, channels: 3, background: '#ff0000' } })
    .composite([{ input: { create: { width: 100, height: 100, channels: 3, background: '#0000ff' } }, left: 100, top: 0 }])
    .png()
    .toBuffer();

async function rendered(transformation: string) {
  // Lossless PNG, so pixels compare exactly.
  const result = await render(await halves(), parseTransformation(`${transformation}:f-png,lo-true`), options);
  if (result.kind !== 'rendered') throw new Error(`not rendered: ${result.kind}`);
  const { data, info } = await sharp(result.image.body).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgba: (x: number, y: number) => [...data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4)] };
}

function refusal(run: () => unknown): { status: number; code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof IkError) return { status: error.status, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe("ImageKit's documented edge cases", () => {
  it('dpr that would make a side less than 1 px is ignored, judged before rounding', async () => {
    expect(await rendered('w-5,h-5,c-force,dpr-0.1')).toMatchObject({ width: 5, height: 5 });
    // 10 x 0.1 is exactly 1 px: dpr applies.
    expect(await rendered('w-10,h-10,c-force,dpr-0.1')).toMatchObject({ width: 1, height: 1 });
  });

  it('a layer with both i and ie draws ie and ignores i, in either order', async () => {
    const ie = Buffer.from('ik_canvas').toString('base64');
    for (const layer of [`l-image,i-missing.png,ie-${ie},bg-00FF00,w-20,h-20,lx-0,ly-0,l-end`, `l-image,ie-${ie},i-..@@bad.png,bg-00FF00,w-20,h-20,lx-0,ly-0,l-end`]) {
      const out = await rendered(layer);
      expect(out.rgba(5, 5)).toEqual([0, 255, 0, 255]);
      expect(out.rgba(50, 50)).toEqual([255, 0, 0, 255]);
    }
    expect(refusal(() => parseTransformation(`l-image,ie-${ie},ie-${ie},bg-red,l-end`)).message).toMatch(/"ie" appears twice/);
  });

  it("c- takes the cm- values, as ImageKit's conditional example writes c-pad_resize", async () => {
    expect(canonicalTransformation(parseTransformation('h-200,c-pad_resize'))).toBe('cm-pad_resize,h-200');
    const out = await rendered('w-100,h-100,c-pad_resize,bg-FFFFFF');
    expect(out).toMatchObject({ width: 100, height: 100 });
    // 200x100 fitted into 100x100 is 100x50, padded white above and below.
    expect(out.rgba(10, 5)).toEqual([255, 255, 255, 255]);
    expect(out.rgba(10, 50)).toEqual([255, 0, 0, 255]);
    const example = await rendered('h-200,c-pad_resize:if-h_eq_200,w-100,if-end:rt-90');
    expect(example).toMatchObject({ width: 50, height: 100 });
    expect(refusal(() => parseTransformation('w-10,c-pad_resize,cm-extract'))).toMatchObject({ status: 400, code: 'EBADPARAM' });
  });

  it('cm-pad_extract_no_shrink, undocumented, is refused as unsupported', () => {
    expect(refusal(() => parseTransformation('w-10,cm-pad_extract_no_shrink'))).toMatchObject({ status: 400, code: 'EUNSUPPORTED', message: expect.stringContaining('cm-pad_extract_no_shrink') });
  });

  it('iw in a text layer names the rule: text layers take bw, bh and bar', async () => {
    const error = await render(await halves(), parseTransformation('l-text,i-Hi,fs-iw_div_10,l-end'), options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IkError);
    expect((error as IkError).message).toBe('Parameter "fs": "iw" is not defined here; this value may use bw, bh, bar');
    // Outside a layer, bw still says it needs one.
    const outside = await render(await halves(), parseTransformation('w-bw_div_2'), options).catch((e: unknown) => e);
    expect((outside as IkError).message).toMatch(/"bw" is only defined inside a layer/);
  });
});
