import sharp from 'sharp';
import { AZURITE_ACCOUNT } from '../../dev/azurite';
import { CONSOLE_CSP } from '../../shared/console/serve';
import { startTestApp, type TestApp } from '../helpers/app';
import { freePort } from '../helpers/azurite';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server';
import { manage } from '../helpers/manage';
import { containerSas, expiredSas } from '../helpers/sas';

const HOUR = 3600_000;

let app: TestApp;
let web: LoopbackServer;
beforeAll(async () => {
  // Private addresses stay refused here, as in production: a loopback WEB_FOLDER origin is `blocked`.
  app = await startTestApp({ ORIGIN_TIMEOUT_MS: '3000', ORIGIN_CONNECT_TIMEOUT_MS: '1000' });
  const container = app.blobs.getContainerClient('gallery');
  await container.create();
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c33' } }).jpeg().toBuffer();
  await container.getBlockBlobClient('photo.jpg').uploadData(jpeg, { blobHTTPHeaders: { blobContentType: 'image/jpeg' } });
  web = await startLoopbackServer((_req, res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg));
});
afterAll(async () => {
  await web?.close();
  await app?.close();
});

async function blobOrigin(fields: { container?: string; sasToken: string; endpoint?: string }): Promise<string> {
  const body = { type: 'AZURE_BLOB', name: 'Gallery', accountName: AZURITE_ACCOUNT, container: 'gallery', endpoint: app.azurite.blobEndpoint, ...fields };
  const created = await manage(app, 'POST', '/v1/accounts/origins', body);
  expect(created.status).toBe(201);
  return created.json.id!;
}

const test = (id: string, body?: unknown) => manage(app, 'POST', `/v1/accounts/origins/${id}/test`, body);

describe('POST /v1/accounts/origins/{id}/test: AZURE_BLOB verdicts from what storage answers', () => {
  it('ok with a read SAS; reading a named blob says its type and size; a missing blob is asset-missing', async () => {
    const id = await blobOrigin({ sasToken: containerSas('gallery', 'r', new Date(Date.now() + HOUR)) });
    const whole = await test(id);
    expect(whole.status).toBe(200);
    expect(whole.json).toMatchObject({ id, type: 'AZURE_BLOB', ok: true, verdict: 'ok' });
    const named = await test(id, { path: '/photo.jpg' });
    expect(named.json).toMatchObject({ ok: true, verdict: 'ok' });
    expect(named.json.message).toMatch(/image\/jpeg, \d+ bytes/);
    const missing = await test(id, { path: 'nothing-here.jpg' });
    expect(missing.json).toMatchObject({ ok: false, verdict: 'asset-missing' });
  });

  it('an expired SAS is sas-expired, naming the expiry and never the signature', async () => {
    const sasToken = expiredSas('gallery');
    const id = await blobOrigin({ sasToken });
    const answer = await test(id);
    expect(answer.json).toMatchObject({ ok: false, verdict: 'sas-expired' });
    const expiry = new URLSearchParams(sasToken.slice(1)).get('se')!;
    expect(answer.json.message).toContain(`expired on ${expiry}`);
    const signature = new URLSearchParams(sasToken.slice(1)).get('sig')!;
    expect(JSON.stringify(answer.json)).not.toContain(signature);
    expect(JSON.stringify(answer.json)).not.toContain(encodeURIComponent(signature));
  });

  it('a SAS that starts in the future is sas-not-yet-valid', async () => {
    const id = await blobOrigin({ sasToken: containerSas('gallery', 'r', new Date(Date.now() + 2 * HOUR), new Date(Date.now() + HOUR)) });
    const answer = await test(id);
    expect(answer.json).toMatchObject({ ok: false, verdict: 'sas-not-yet-valid' });
    expect(answer.json.message).toContain('not valid before');
  });

  it('a SAS without read permission is no-read-permission', async () => {
    const id = await blobOrigin({ sasToken: containerSas('gallery', 'l', new Date(Date.now() + HOUR)) });
    const answer = await test(id);
    expect(answer.json).toMatchObject({ ok: false, verdict: 'no-read-permission' });
    expect(answer.json.message).toMatch(/AuthorizationPermissionMismatch.*sp=l/);
  });

  it('a SAS whose signature storage rejects is access-denied, saying so', async () => {
    const good = containerSas('gallery', 'r', new Date(Date.now() + HOUR));
    const forged = good.replace(/sig=[^&]+/, `sig=${encodeURIComponent(Buffer.alloc(32, 7).toString('base64'))}`);
    const id = await blobOrigin({ sasToken: forged });
    const answer = await test(id);
    expect(answer.json).toMatchObject({ ok: false, verdict: 'access-denied' });
    // Azure says AuthenticationFailed for a bad signature, Azurite AuthorizationFailure.
    expect(answer.json.message).toMatch(/^Storage refused access \((AuthenticationFailed|AuthorizationFailure)\): .*signature/);
  });

  it('a container that does not exist is container-missing', async () => {
    const id = await blobOrigin({ container: 'no-such-container', sasToken: containerSas('no-such-container', 'r', new Date(Date.now() + HOUR)) });
    const answer = await test(id);
    expect(answer.json).toMatchObject({ ok: false, verdict: 'container-missing' });
    expect(answer.json.message).toContain('"no-such-container"');
  });

  it('an endpoint on a closed loopback port is unreachable', async () => {
    const port = await freePort();
    const id = await blobOrigin({ sasToken: containerSas('gallery', 'r', new Date(Date.now() + HOUR)), endpoint: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}` });
    const answer = await test(id);
    expect(answer.json).toMatchObject({ ok: false, verdict: 'unreachable' });
    expect(answer.json.message).toContain('ECONNREFUSED');
  });
});

describe('POST /v1/accounts/origins/{id}/test: web origins and bad requests', () => {
  it('a WEB_FOLDER origin on a loopback address is blocked by the SSRF guard before any connection', async () => {
    const created = await manage(app, 'POST', '/v1/accounts/origins', { type: 'WEB_FOLDER', name: 'Local web', baseUrl: `${web.url}/images` });
    const before = web.connections;
    const answer = await test(created.json.id!);
    expect(answer.json).toMatchObject({ ok: false, verdict: 'blocked' });
    expect(answer.json.message).toContain('loopback');
    expect(web.connections).toBe(before);
  });

  it('a WEB_PROXY origin needs a URL to test, and names the parameter when it has none', async () => {
    const created = await manage(app, 'POST', '/v1/accounts/origins', { type: 'WEB_PROXY', name: 'Proxy' });
    const answer = await test(created.json.id!);
    expect(answer.status).toBe(400);
    expect(answer.json.message).toMatch(/^path: a WEB_PROXY origin is tested with the absolute URL/);
    const blocked = await test(created.json.id!, { path: `${web.url}/a.jpg` });
    expect(blocked.json).toMatchObject({ verdict: 'blocked' });
  });

  it('refuses an unknown origin (404), a bad body (400 naming the field), and a caller without the key (401)', async () => {
    expect((await test('0123456789abcdef01234567')).status).toBe(404);
    expect((await test('not-an-id')).status).toBe(404);
    const id = await blobOrigin({ sasToken: containerSas('gallery', 'r', new Date(Date.now() + HOUR)) });
    const bad = await test(id, { path: 5 });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/^path: /);
    const unknown = await test(id, { paht: 'x' });
    expect(unknown.status).toBe(400);
    const escape = await test(id, { path: '../other/photo.jpg' });
    expect(escape.status).toBe(400);
    expect(escape.json.message).toMatch(/^path: /);
    const anonymous = await fetch(`${app.url}/v1/accounts/origins/${id}/test`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
  });
});

describe('/console: the page and its files, with their safety headers', () => {
  it('serves the page with a strict CSP, no framing, no caching', async () => {
    for (const path of ['/console', '/console/', '/CONSOLE']) {
      const page = await fetch(`${app.url}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(page.headers.get('cache-control')).toBe('private, no-store');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    }
    const csp = CONSOLE_CSP.split(';').map((d) => d.trim());
    expect(csp).toEqual(expect.arrayContaining(["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "connect-src 'self'"]));
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  });

  it('the page has no inline script, style or handler, and loads only its own files', async () => {
    const html = await (await fetch(`${app.url}/console`)).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    const references = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(references.length).toBeGreaterThanOrEqual(2);
    for (const reference of references) {
      expect(reference).toMatch(/^\/console\/[a-z]+\.(js|css|svg)$/);
      const file = await fetch(`${app.url}${reference}`);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toMatch(/^(text\/(javascript|css); charset=utf-8|image\/svg\+xml)$/);
      expect(file.headers.get('cache-control')).toBe('private, no-store');
    }
  });

  it('answers HEAD without a body, and 404 for anything that is not one of its files', async () => {
    const head = await fetch(`${app.url}/console/app.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    for (const path of ['/console/nope.js', '/console/static/app.js', '/console/%2e%2e%2fserve.ts', '/console/serve.ts', '/console/app.js%00']) {
      const missing = await fetch(`${app.url}${path}`);
      expect([400, 404]).toContain(missing.status);
      expect(await missing.text()).not.toContain('import');
    }
    expect((await fetch(`${app.url}/console/nope.js`)).status).toBe(404);
  });

  it('"console" is a reserved URL endpoint prefix', async () => {
    const answer = await manage(app, 'POST', '/v1/accounts/url-endpoints', { description: 'x', urlPrefix: 'console' });
    expect(answer.status).toBe(400);
    expect(answer.json.message).toMatch(/^urlPrefix: must not be one of .*console/);
  });

  it('a refused key answers a browser script without a Basic challenge, so no browser dialog opens; other clients get one', async () => {
    const refused = (headers: Record<string, string>) => fetch(`${app.url}/v1/accounts/origins`, { headers: { authorization: `Basic ${Buffer.from('wrong-key-wrong-key:').toString('base64')}`, ...headers } });
    const script = await refused({ 'x-requested-with': 'XMLHttpRequest' });
    expect(script.status).toBe(401);
    expect(script.headers.get('www-authenticate')).toBeNull();
    const client = await refused({});
    expect(client.status).toBe(401);
    expect(client.headers.get('www-authenticate')).toBe('Basic realm="imagekit"');
  });
});
