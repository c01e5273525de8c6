import sharp from 'sharp';
import { startTestApp, type TestApp } from '../helpers/app';
import { freePort } from '../helpers/azurite';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server';
import { manage } from '../helpers/manage';

let app: TestApp;
let web: LoopbackServer;
let jpeg: Buffer;
beforeAll(async () => {
  // Loopback web origins need the unsafe setting; console-api.test.ts shows them blocked without it.
  app = await startTestApp({ CONSOLE_ENABLED: 'false', ALLOW_PRIVATE_ORIGIN_ADDRESSES: 'true', ORIGIN_CONNECT_TIMEOUT_MS: '1000' });
  jpeg = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#39c' } }).jpeg().toBuffer();
  web = await startLoopbackServer((req, res) => {
    if (req.url === '/images/photo.jpg') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
    else if (req.url === '/images/big.bin') res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(200_000));
    else if (req.url === '/private/photo.jpg') res.writeHead(403).end();
    else res.writeHead(404).end();
  });
});
afterAll(async () => {
  await web?.close();
  await app?.close();
});

describe('CONSOLE_ENABLED=false', () => {
  it('every console path answers 404, the management API still works', async () => {
    for (const path of ['/console', '/console/', '/console/app.js', '/console/index.html']) {
      const answer = await fetch(`${app.url}${path}`);
      expect([path, answer.status]).toEqual([path, 404]);
      expect(answer.headers.get('content-security-policy')).toBeNull();
    }
    expect((await manage(app, 'GET', '/v1/accounts/origins')).status).toBe(200);
  });
});

describe('POST /v1/accounts/origins/{id}/test: web origins that may be reached', () => {
  const origin = async (body: object) => (await manage(app, 'POST', '/v1/accounts/origins', body)).json.id!;
  const test = (id: string, body?: unknown) => manage(app, 'POST', `/v1/accounts/origins/${id}/test`, body);

  it('WEB_FOLDER: a server that answers is ok, with or without an asset; a missing asset, a refusal and a closed port say so', async () => {
    const folder = await origin({ type: 'WEB_FOLDER', name: 'Web', baseUrl: `${web.url}/images` });
    expect((await test(folder)).json).toMatchObject({ ok: true, verdict: 'ok' });
    const photo = await test(folder, { path: 'photo.jpg' });
    expect(photo.json).toMatchObject({ ok: true, verdict: 'ok' });
    expect(photo.json.message).toContain(`image/jpeg (${jpeg.length} bytes)`);
    expect((await test(folder, { path: 'big.bin' })).json).toMatchObject({ ok: true, verdict: 'ok' });
    expect((await test(folder, { path: 'missing.jpg' })).json).toMatchObject({ ok: false, verdict: 'asset-missing' });

    const refusing = await origin({ type: 'WEB_FOLDER', name: 'Private', baseUrl: `${web.url}/private` });
    const refused = await test(refusing, { path: 'photo.jpg' });
    expect(refused.json).toMatchObject({ ok: false, verdict: 'access-denied' });
    expect(refused.json.message).toContain('403');

    const closed = await origin({ type: 'WEB_FOLDER', name: 'Closed', baseUrl: `http://127.0.0.1:${await freePort()}/images` });
    const unreachable = await test(closed);
    expect(unreachable.json).toMatchObject({ ok: false, verdict: 'unreachable' });
    expect(unreachable.json.message).toContain('refused the connection');
  });

  it('WEB_PROXY: the URL given is fetched as delivery would', async () => {
    const proxy = await origin({ type: 'WEB_PROXY', name: 'Proxy' });
    expect((await test(proxy, { path: `${web.url}/images/photo.jpg` })).json).toMatchObject({ ok: true, verdict: 'ok' });
    expect((await test(proxy, { path: `${web.url}/images/none.jpg` })).json).toMatchObject({ ok: false, verdict: 'asset-missing' });
    const notUrl = await test(proxy, { path: 'photo.jpg' });
    expect(notUrl.status).toBe(400);
    expect(notUrl.json.message).toMatch(/^path: /);
  });
});
