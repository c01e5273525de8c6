import ImageKit from '@imagekit/nodejs';
import sharp from 'sharp';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';

describe('client hints over HTTP (w-auto, dpr-auto)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
    await serveDemoFromDefaultEndpoint(app, new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 }));
  });
  afterAll(() => app.close());

  async function get(tr: string, headers: Record<string, string>) {
    const response = await fetch(`${app.url}/sample/landscape.jpg?tr=${tr}`, { headers: { accept: 'image/jpeg', ...headers } });
    const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    return { width: meta.width, headers: response.headers };
  }

  it('sizes by the hints, says which headers it used, and caches per hint', async () => {
    const dpr2 = await get('w-100,dpr-auto', { 'sec-ch-dpr': '2' });
    expect(dpr2.width).toBe(200);
    expect(dpr2.headers.get('vary')).toBe('Accept, Sec-CH-DPR');
    expect(dpr2.headers.get('accept-ch')).toBe('Sec-CH-Width, Sec-CH-DPR');
    expect((await get('w-100,dpr-auto', { 'sec-ch-dpr': '3' })).width).toBe(300);
    expect((await get('w-100,dpr-auto', {})).width).toBe(100);

    const auto = await get('w-auto,dpr-auto', { 'sec-ch-width': '212', 'sec-ch-dpr': '2' });
    expect(auto.width).toBe(300);
    expect(auto.headers.get('content-dpr')).toBe('2.83');
    expect(auto.headers.get('vary')).toBe('Accept, Sec-CH-Width, Sec-CH-DPR');
    expect((await get('w-auto,dpr-auto', { 'sec-ch-width': '600', 'sec-ch-dpr': '2' })).width).toBe(600);
  });

  it('URLs without hints parameters carry no client-hint headers', async () => {
    const plain = await get('w-100', { 'sec-ch-dpr': '2' });
    expect(plain.width).toBe(100);
    expect(plain.headers.get('accept-ch')).toBeNull();
    expect(plain.headers.get('vary')).toBe('Accept');
  });
});
