import ImageKit from '@imagekit/nodejs';
import { format } from 'node:util';
import { AZURITE_ACCOUNT } from '../../dev/azurite';
import { startTestApp, uploadDemo, type TestApp } from '../helpers/app';

describe('management API: no secret in any response or log line; back-off after repeated failures', () => {
  let app: TestApp;
  let client: ImageKit;
  let sas: string;
  const seen: string[] = [];
  const restore: (() => void)[] = [];

  /** Every request goes through here, so every status line, header and body is kept for the scan. */
  async function call(path: string, init: RequestInit & { key?: string } = {}) {
    const key = init.key ?? app.privateKey;
    const headers = { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) };
    const response = await fetch(`${app.url}${path}`, { ...init, headers });
    const text = await response.text();
    seen.push(`${response.status} ${JSON.stringify([...response.headers])} ${text}`);
    expect([path, response.headers.get('x-content-type-options')]).toEqual([path, 'nosniff']);
    return { status: response.status, headers: response.headers, text };
  }
  const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` });

  beforeAll(async () => {
    // Captured from before the app starts: whatever the host, the functions or a library print.
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const spy = jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void seen.push(format(...args)));
      restore.push(() => spy.mockRestore());
    }
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: never[]) => {
        seen.push(String(chunk));
        return write(chunk as string, ...rest);
      }) as typeof stream.write;
      restore.push(() => (stream.write = write));
    }
    app = await startTestApp();
    sas = await uploadDemo(app, 'photos');
    client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await app.close();
    restore.forEach((undo) => undo());
  });

  it('a run through origins, endpoints, purge and delivery, including failures, never shows the key or the SAS', async () => {
    const sig = new URLSearchParams(sas.slice(1)).get('sig')!;
    const forged = sas.replace(encodeURIComponent(sig), encodeURIComponent(Buffer.alloc(32, 7).toString('base64')));
    const forgedSig = new URLSearchParams(forged.slice(1)).get('sig')!;
    const origin = { type: 'AZURE_BLOB', name: 'Photos', accountName: AZURITE_ACCOUNT, container: 'photos', endpoint: app.azurite.blobEndpoint };

    const good = JSON.parse((await call('/v1/accounts/origins', { method: 'POST', body: JSON.stringify({ ...origin, sasToken: sas }) })).text);
    const bad = JSON.parse((await call('/v1/accounts/origins', { method: 'POST', body: JSON.stringify({ ...origin, name: 'Forged', sasToken: forged }) })).text);
    await call('/v1/accounts/origins', { method: 'POST', body: JSON.stringify({ ...origin, sasToken: sas.slice(1) }) });
    await call('/v1/accounts/origins', { method: 'POST', body: JSON.stringify({ ...origin, accountName: 'Bad_Name', sasToken: sas }) });
    await call('/v1/accounts/origins', { method: 'POST', body: `{"sasToken": "${sas}"` });
    await call('/v1/accounts/origins');
    await call(`/v1/accounts/origins/${good.id}`);
    await call(`/v1/accounts/origins/${good.id}`, { method: 'PUT', body: JSON.stringify({ ...origin, name: 'Renamed', sasToken: sas }) });
    await call('/v1/accounts/url-endpoints/default', { method: 'PUT', body: JSON.stringify({ description: 'd', origins: [bad.id, good.id] }) });
    await call('/v1/accounts/url-endpoints', { method: 'POST', body: JSON.stringify({ description: 'forged only', urlPrefix: 'forged', origins: [bad.id] }) });
    await call('/v1/accounts/url-endpoints');
    await call(`/v1/accounts/origins/${good.id}`, { method: 'DELETE' });
    await call('/v1/files/purge', { method: 'POST', body: JSON.stringify({ url: `${app.url}/sample/*` }) });
    for (const path of ['/tr:w-50/sample/plant.jpg', '/forged/sample/plant.jpg', '/forged/missing.jpg', '/tr:w-x/sample/plant.jpg', '/sample/plant.jpg?ik-s=00']) {
      const response = await call(path);
      expect(response.status).toBeLessThan(500);
    }
    expect((await call('/forged/sample/plant.jpg')).headers.get('ik-error')).toMatch(/^EACCES - /);
    await call('/v1/accounts/origins', { key: 'private_wrong_key_for_the_scan' });
    await client.accounts.origins.list();

    const secrets = [app.privateKey, sig, encodeURIComponent(sig), forgedSig, encodeURIComponent(forgedSig), sas.slice(1), Buffer.from(`${app.privateKey}:`).toString('base64')];
    expect(seen.length).toBeGreaterThan(20);
    for (const line of seen) {
      for (const secret of secrets) expect(line.includes(secret) ? line : 'clean').toBe('clean');
    }
  });

  it('after 5 wrong keys from one address, that address waits (429, Retry-After), whatever x-forwarded-for it claims', async () => {
    for (let i = 0; i < 5; i++) {
      const wrong = await call('/v1/accounts/origins', { key: `private_wrong_${i}_xxxxxxxx` });
      expect([wrong.status, wrong.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="imagekit"']);
    }
    const blocked = await call('/v1/accounts/origins');
    expect([blocked.status, blocked.headers.get('retry-after')]).toEqual([429, '1']);
    const spoofed = await call('/v1/accounts/origins', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(spoofed.status).toBe(429);
    // Delivery is not affected by the management back-off.
    expect((await fetch(`${app.url}/missing.jpg`)).status).toBe(404);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await call('/v1/accounts/origins')).status).toBe(200);
    // A success starts the count again.
    expect((await fetch(`${app.url}/v1/accounts/origins`, { headers: basic('private_wrong_after_success') })).status).toBe(401);
    expect((await call('/v1/accounts/origins')).status).toBe(200);
  });
});
