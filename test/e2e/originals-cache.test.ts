import ImageKit from '@imagekit/nodejs';
import sharp from 'sharp';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';

describe('originals cache (URL endpoint field originalsCacheSeconds)', () => {
  let app: TestApp;
  let client: ImageKit;
  let originId: string;

  beforeAll(async () => {
    app = await startTestApp({ MEMORY_CACHE_MB: '0' });
    client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    originId = await serveDemoFromDefaultEndpoint(app, client);
  });
  afterAll(() => app.close());

  const widthOf = async (path: string) => {
    const response = await fetch(`${app.url}${path}`);
    expect(response.status).toBe(200);
    return (await sharp(Buffer.from(await response.arrayBuffer())).metadata()).width;
  };
  const replaceLogo = async (width: number) => {
    const png = await sharp({ create: { width, height: 100, channels: 3, background: '#123456' } }).png().toBuffer();
    await app.blobs.getContainerClient('photos').getBlockBlobClient('sample/logo.png').uploadData(png);
  };

  it('off by default: each new variant reads the origin again', async () => {
    expect(await widthOf('/tr:w-0.5/sample/logo.png')).toBe(256);
    await replaceLogo(300);
    expect(await widthOf('/tr:w-0.25/sample/logo.png')).toBe(75);
  });

  it('on: new variants come from the kept original until a purge drops it', async () => {
    // `originalsCacheSeconds` is this server's addition to the URL endpoint shape.
    await client.accounts.urlEndpoints.update('default', { description: 'Default', origins: [originId], originalsCacheSeconds: 600 } as never);
    expect(await widthOf('/tr:w-0.5,q-70/sample/logo.png')).toBe(150);
    await replaceLogo(400);
    // The origin now has a 400 px wide logo; the kept original is still the 300 px one.
    expect(await widthOf('/tr:w-0.5,q-71/sample/logo.png')).toBe(150);
    await client.cache.invalidation.create({ url: `${app.url}/sample/logo.png` });
    expect(await widthOf('/tr:w-0.5,q-72/sample/logo.png')).toBe(200);
  });

  it('refuses values out of range, naming the field', async () => {
    await expect(client.accounts.urlEndpoints.update('default', { description: 'Default', origins: [originId], originalsCacheSeconds: -1 } as never)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('originalsCacheSeconds'),
    });
  });
});
