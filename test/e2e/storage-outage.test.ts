import ImageKit from '@imagekit/nodejs';
import sharp from 'sharp';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';

const auth = (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` });
const errorCode = (response: Response) => response.headers.get('ik-error')?.split(' - ')[0];

/**
 * Storage that stops answering (the Azurite process paused with SIGSTOP) or goes away (killed): requests that need
 * no storage answer as usual, the others answer 503/504 with `ik-error` while storage is still away (a request that
 * waited for storage would only finish after SIGCONT, and the test would time out), and all recover after.
 */
describe('storage outages: nothing hangs, nothing answers 500', () => {
  let app: TestApp;
  let stopped = false;

  const pause = () => {
    process.kill(app.azurite.pid, 'SIGSTOP');
    stopped = true;
  };
  const resume = () => {
    process.kill(app.azurite.pid, 'SIGCONT');
    stopped = false;
  };

  /** Polls until `check` passes: recovery is a behaviour, how fast it comes is measured elsewhere. */
  async function eventually(check: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('did not recover');
  }

  beforeAll(async () => {
    app = await startTestApp({ STORAGE_TRY_TIMEOUT_MS: '1000', STORAGE_DEADLINE_MS: '2500', ORIGIN_TIMEOUT_MS: '3000', CONFIG_CACHE_SECONDS: '0' });
    await serveDemoFromDefaultEndpoint(app, new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 }));
  });
  afterAll(async () => {
    if (stopped) resume();
    await app.close();
  });

  it('with storage paused: 400s, memory hits, health 503, cold 503/504, management 503, all before storage is back', async () => {
    const warm = `${app.url}/tr:w-120/sample/plant.jpg`;
    await eventually(async () => (await fetch(warm)).status === 200);
    const hit = await fetch(warm);
    expect(hit.headers.get('x-rendition-cache')).toBe('HIT');
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);

    pause();
    // Some requests wait a storage deadline or two; none waits for the pause to end.
    const [bad, memoryHit, healthz, cold, manage, signedBad] = await Promise.all([
      fetch(`${app.url}/tr:w-abc/sample/plant.jpg`),
      fetch(warm),
      fetch(`${app.url}/healthz`),
      fetch(`${app.url}/tr:w-77/sample/plant.jpg`),
      fetch(`${app.url}/v1/accounts/origins`, { headers: auth(app.privateKey) }),
      fetch(`${app.url}/sample/plant.jpg?ik-s=0000`),
    ]);
    expect(stopped).toBe(true);

    expect(bad.status).toBe(400);
    expect(errorCode(bad)).toBe('EBADPARAM');
    expect(memoryHit.status).toBe(200);
    expect(memoryHit.headers.get('x-rendition-cache')).toBe('HIT');
    expect((await sharp(Buffer.from(await memoryHit.arrayBuffer())).metadata()).width).toBe(120);
    expect(healthz.status).toBe(503);
    expect(await healthz.text()).toMatch(/Unavailable/);
    expect([503, 504]).toContain(cold.status);
    expect(errorCode(cold)).toMatch(/^E/);
    expect(cold.headers.get('cache-control')).toMatch(/no-store|max-age=60\b/);
    expect(manage.status).toBe(503);
    expect(manage.headers.get('retry-after')).not.toBeNull();
    expect(signedBad.status).toBe(401);

    resume();
    await eventually(async () => (await fetch(`${app.url}/healthz`)).status === 200);
    await eventually(async () => (await fetch(`${app.url}/tr:w-77/sample/plant.jpg`)).status === 200);
    expect((await fetch(`${app.url}/v1/accounts/origins`, { headers: auth(app.privateKey) })).status).toBe(200);
  });

  it('with storage gone (killed): 400s and memory hits still answer, the rest 503/504 or the origin error, never 500', async () => {
    const warm = `${app.url}/tr:w-90/sample/plant.jpg`;
    await eventually(async () => (await fetch(warm)).status === 200);
    await app.azurite.stop();

    const bad = await fetch(`${app.url}/tr:h-0.0.1/sample/plant.jpg`);
    expect(bad.status).toBe(400);
    const memoryHit = await fetch(warm);
    expect(memoryHit.status).toBe(200);
    expect(memoryHit.headers.get('x-rendition-cache')).toBe('HIT');
    const healthz = await fetch(`${app.url}/healthz`);
    expect(healthz.status).toBe(503);
    const cold = await fetch(`${app.url}/tr:w-55/sample/plant.jpg`);
    expect(cold.status).not.toBe(500);
    expect(cold.status).toBeGreaterThanOrEqual(400);
    expect(errorCode(cold)).toMatch(/^E/);
    const manage = await fetch(`${app.url}/v1/accounts/origins`, { headers: auth(app.privateKey) });
    expect(manage.status).toBe(503);
  });
});
