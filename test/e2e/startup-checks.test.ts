import { startTestApp, type TestApp } from '../helpers/app';
import { startAppProcess, type AppProcess } from '../helpers/app-process';
import { startTestAzurite } from '../helpers/azurite';
import { settingsProblems } from '../../shared/settings';

const reference = '@Microsoft.KeyVault(VaultName=kv-guessable;SecretName=private-api-key)';
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

describe('settings checked at start', () => {
  it('names each bad setting once, never its value', () => {
    const problems = settingsProblems({
      STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      PRIVATE_API_KEY: reference,
      STORAGE_MAX_TRIES: 'many',
      APPLICATIONINSIGHTS_CONNECTION_STRING: ` ${reference.toLowerCase()}`,
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['APPLICATIONINSIGHTS_CONNECTION_STRING', 'PRIVATE_API_KEY', 'STORAGE_MAX_TRIES']);
    expect(problems.find((p) => p.startsWith('PRIVATE_API_KEY'))).toMatch(/unresolved Key Vault reference/);
    expect(problems.join()).not.toMatch(/guessable|many/i);
    expect(settingsProblems({ STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', PRIVATE_API_KEY: 'private_long_enough_key' })).toEqual([]);
  });
});

describe('an unresolved Key Vault reference as the key (in-process local host)', () => {
  let app: TestApp;
  const logged: string[] = [];
  beforeAll(async () => {
    jest.spyOn(console, 'error').mockImplementation((line: unknown) => void logged.push(String(line)));
    app = await startTestApp({ PRIVATE_API_KEY: reference });
  });
  afterAll(async () => {
    await app.close();
    jest.restoreAllMocks();
  });

  it('logs one line at start naming the setting, without its value', () => {
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^Invalid settings, every request answers 503 .*PRIVATE_API_KEY: is an unresolved Key Vault reference/);
    expect(logged[0]).not.toContain('guessable');
  });

  it('/healthz answers 503 and says why', async () => {
    const response = await fetch(`${app.url}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.text()).toMatch(/^Unavailable: invalid settings: PRIVATE_API_KEY: is an unresolved Key Vault reference/);
    expect((await fetch(`${app.url}/healthz`, { method: 'HEAD' })).status).toBe(503);
  });

  it('every other request is 503, even one that knows the reference text', async () => {
    const image = await fetch(`${app.url}/sample/plant.jpg`);
    expect([image.status, image.headers.get('ik-error'), image.headers.get('cache-control')]).toEqual([503, 'EUNAVAILABLE - The service is not configured correctly; try again later', 'no-store']);
    const manage = await fetch(`${app.url}/v1/accounts/origins`, { headers: { authorization: basic(reference) } });
    expect(manage.status).toBe(503);
    expect(await manage.json()).toEqual({ message: expect.stringMatching(/not configured correctly/) });
    const purge = await fetch(`${app.url}/v1/files/purge`, { method: 'POST', headers: { authorization: basic(reference), 'content-type': 'application/json' }, body: JSON.stringify({ url: `${app.url}/sample/plant.jpg` }) });
    expect(purge.status).toBe(503);
    for (const text of [await image.text(), JSON.stringify(logged)]) expect(text).not.toContain('guessable');
  });
});

describe('bad settings in the app started as its own process (npm start)', () => {
  let app: AppProcess;
  let stopAzurite: () => Promise<void>;
  beforeAll(async () => {
    const azurite = await startTestAzurite();
    stopAzurite = azurite.stop;
    app = await startAppProcess({ STORAGE_CONNECTION_STRING: azurite.connectionString, PRIVATE_API_KEY: reference, STORAGE_DEADLINE_MS: 'soon' });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await stopAzurite?.();
  });

  it('says so once before serving, keeps listening, and answers 503', async () => {
    const before = app.output();
    expect(before.match(/Invalid settings/g)).toHaveLength(1);
    expect(before).toMatch(/PRIVATE_API_KEY: is an unresolved Key Vault reference.*; STORAGE_DEADLINE_MS: /);
    expect(before).not.toContain('guessable');
    const health = await fetch(`${app.url}/healthz`);
    expect([health.status, await health.text()]).toEqual([503, expect.stringContaining('STORAGE_DEADLINE_MS')]);
    expect((await fetch(`${app.url}/tr:w-100/sample/plant.jpg`)).status).toBe(503);
  });
});
