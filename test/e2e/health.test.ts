import { startTestApp, type TestApp } from '../helpers/app';

describe('GET /healthz', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('answers 200 while storage is reachable, to GET and HEAD, without auth', async () => {
    const get = await fetch(`${app.url}/healthz`);
    expect([get.status, await get.text()]).toEqual([200, 'OK']);
    const head = await fetch(`${app.url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('answers 503 with the reason once storage is gone', async () => {
    await app.azurite.stop();
    // The probe result is reused for 5 seconds; wait it out rather than reach into the module.
    await new Promise((resolve) => setTimeout(resolve, 5200));
    const response = await fetch(`${app.url}/healthz`);
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(text).toMatch(/^Unavailable: storage unreachable/);
    expect(text).not.toContain('AccountKey');
  });
});
