import sharp from 'sharp';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { render } from '../../shared/transform/render';

// render() still reads the output limits from the settings.
Object.assign(process.env, { PRIVATE_API_KEY: 'private_unit_render_key', STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' });

const options = { accept: '', autoAvif: false, defaultQuality: 80, maxInputPixels: 1e8 };
const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10" fill="red"/></svg>');

describe('render(): a typed result', () => {
  it('says when the input is not an image, rather than failing', async () => {
    expect(await render(Buffer.from('plain text, not pixels'), parseTransformation('w-10'), options)).toEqual({ kind: 'not-an-image' });
  });

  it('leaves an SVG to be served as it is unless a raster format is asked for', async () => {
    expect(await render(svg, parseTransformation('w-10'), options)).toEqual({ kind: 'svg' });
    const raster = await render(svg, parseTransformation('w-10,f-png'), options);
    if (raster.kind !== 'rendered') throw new Error(`not rendered: ${raster.kind}`);
    expect(raster.image).toMatchObject({ contentType: 'image/png', width: 10, height: 5, negotiated: false });
    expect(await sharp(raster.image.body).metadata()).toMatchObject({ format: 'png', width: 10, height: 5 });
  });
});
