import { startTestApp, type TestApp } from '../helpers/app';

const auth = (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` });

/** In a file of its own: the configuration an instance once read would otherwise still be in memory. */
describe('storage gone before the configuration was ever read', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ STORAGE_TRY_TIMEOUT_MS: '1000', STORAGE_DEADLINE_MS: '2500' });
    await app.azurite.stop();
  });
  afterAll(() => app.close());

  it('delivery answers 503 EUNAVAILABLE, never cached, and the management API (purge included) 503', async () => {
    const delivery = await fetch(`${app.url}/tr:w-50/sample/plant.jpg`);
    expect(delivery.status).toBe(503);
    expect(delivery.headers.get('ik-error')).toMatch(/^EUNAVAILABLE - /);
    expect([delivery.headers.get('cache-control'), delivery.headers.get('retry-after')]).toEqual(['no-store', '5']);
    const purge = await fetch(`${app.url}/v1/files/purge`, {
      method: 'POST',
      headers: { ...auth(app.privateKey), 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${app.url}/sample/plant.jpg` }),
    });
    expect(purge.status).toBe(503);
    expect(purge.headers.get('retry-after')).toBe('5');
  });
});
