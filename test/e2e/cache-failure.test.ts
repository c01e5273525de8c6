import ImageKit from '@imagekit/nodejs';
import sharp from 'sharp';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';
import { azuriteAccountSas } from '../helpers/azurite';

describe('a rendition store that refuses writes', () => {
  let app: TestApp;

  beforeAll(async () => {
    // Renditions go through a read-only account SAS: every container create and blob write is refused (403).
    const sas = azuriteAccountSas('b', 'sco', 'rl');
    app = await startTestApp((azurite) => ({ MEMORY_CACHE_MB: '0', RENDITION_STORAGE_CONNECTION_STRING: `BlobEndpoint=${azurite.blobEndpoint};SharedAccessSignature=${sas}` }));
    const client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    await serveDemoFromDefaultEndpoint(app, client);
  });
  afterAll(() => app.close());

  it('still answers 200 with the right image, every time', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${app.url}/tr:w-100,h-100/sample/plant.jpg`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-rendition-cache')).toBe('MISS');
      const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
      expect([meta.width, meta.height]).toEqual([100, 100]);
      // Until its failed write settles, a rendition is still shared with identical requests; then it is gone.
      await app.parts().renditions.settle();
    }
    expect(await app.blobs.getContainerClient('renditions').exists()).toBe(false);
  });
});
