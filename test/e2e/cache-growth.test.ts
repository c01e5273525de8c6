import ImageKit from '@imagekit/nodejs';
import sharp from 'sharp';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';

describe('stored renditions per asset are capped', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ MEMORY_CACHE_MB: '0', MAX_RENDITIONS_PER_ASSET: '2' });
    await serveDemoFromDefaultEndpoint(app, new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 }));
  });
  afterAll(() => app.close());

  async function stored(): Promise<number> {
    let count = 0;
    for await (const _blob of app.blobs.getContainerClient('renditions').listBlobsFlat({ prefix: 'default/sample/plant.jpg/' })) count++;
    return count;
  }

  async function waitForStored(n: number): Promise<number> {
    for (let attempt = 0; attempt < 100 && (await stored()) < n; attempt++) await new Promise((r) => setTimeout(r, 50));
    return stored();
  }

  it('keeps serving every variant but stores no more than the cap', async () => {
    for (const width of [10, 20]) {
      expect((await fetch(`${app.url}/tr:w-${width}/sample/plant.jpg`)).status).toBe(200);
      await waitForStored(width / 10);
    }
    expect(await stored()).toBe(2);
    for (const width of [30, 40]) {
      const response = await fetch(`${app.url}/tr:w-${width}/sample/plant.jpg`);
      expect(response.status).toBe(200);
      expect((await sharp(Buffer.from(await response.arrayBuffer())).metadata()).width).toBe(width);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await stored()).toBe(2);
    expect((await fetch(`${app.url}/tr:w-30/sample/plant.jpg`)).headers.get('x-rendition-cache')).toBe('MISS');
    expect((await fetch(`${app.url}/tr:w-10/sample/plant.jpg`)).headers.get('x-rendition-cache')).toBe('HIT');
  });
});
