import { downloadLayers, layerFiles } from '../../shared/delivery/layers';
import { parseTransformation } from '../../shared/transform/grammar/parse';

describe('layer files downloaded before the job', () => {
  it('finds every image layer: nested, in either branch of a conditional, not canvases or text', () => {
    const steps = parseTransformation(
      'w-300:l-image,i-a.png,w-bw_div_3:rt-90,l-image,i-b.png,l-end,l-end:if-w_gt_100,l-image,i-c.png,l-end,if-else,l-image,i-d@@e.png,l-end,if-end:l-image,i-ik_canvas,bg-red,l-end:l-text,i-Hi,l-end',
    );
    expect(layerFiles(steps).sort()).toEqual(['a.png', 'b.png', 'c.png', 'd/e.png']);
  });

  it('finds custom font files of text layers, not font families', () => {
    const steps = parseTransformation('l-text,i-Hi,ff-fonts@@brand.ttf,l-end:l-text,i-Ho,ff-Roboto,l-end');
    expect(layerFiles(steps)).toEqual(['fonts/brand.ttf']);
  });

  it('downloads each once, before returning; a failed one fails only the draw that asks for it', async () => {
    const asked: string[] = [];
    const load = await downloadLayers(parseTransformation('l-image,i-ok.png,l-end:l-image,i-ok.png,l-end:if-w_gt_1,l-image,i-gone.png,l-end,if-end'), async (path) => {
      asked.push(path);
      if (path === 'gone.png') throw new Error('missing');
      return Buffer.from(path);
    });
    expect(asked.sort()).toEqual(['gone.png', 'ok.png']);
    expect((await load('ok.png')).toString()).toBe('ok.png');
    await expect(load('gone.png')).rejects.toThrow('missing');
    expect(asked).toHaveLength(2);
  });
});
