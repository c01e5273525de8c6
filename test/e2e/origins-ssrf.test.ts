import ImageKit from '@imagekit/nodejs';
import net from 'node:net';
import { startTestApp, type TestApp } from '../helpers/app';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server';

/** Endpoint fields this server adds to ImageKit's; the SDK's types do not know them. */
type EndpointBody = Parameters<ImageKit['accounts']['urlEndpoints']['create']>[0];

describe('SSRF guard end to end, with ALLOW_PRIVATE_ORIGIN_ADDRESSES off (the default)', () => {
  let app: TestApp;
  let internal: LoopbackServer;
  let connect: jest.SpyInstance;

  beforeAll(async () => {
    app = await startTestApp();
    internal = await startLoopbackServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end('secret'));
    const client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    const folder = await client.accounts.origins.create({ type: 'WEB_FOLDER', name: 'Internal', baseUrl: `http://localhost:${internal.port}` });
    const proxy = await client.accounts.origins.create({ type: 'WEB_PROXY', name: 'Proxy' });
    await client.accounts.urlEndpoints.create({ description: 'internal', urlPrefix: 'internal', origins: [folder.id] });
    await client.accounts.urlEndpoints.create({ description: 'open proxy', urlPrefix: 'proxy', origins: [proxy.id], allowUnsignedWebProxy: true } as EndpointBody);
  });
  afterAll(async () => {
    await internal.close();
    await app.close();
  });
  // The app runs in this process: a spy on socket connects sees every connection its origins would open.
  beforeEach(() => {
    connect = jest.spyOn(net.Socket.prototype, 'connect');
  });
  afterEach(() => connect.mockRestore());

  /** Connections to the internal server or to the default HTTP port (the proxied 169.254.169.254 and 10.0.0.1); the app's own Azurite ones are not counted. */
  const dialled = () =>
    connect.mock.calls.map(([options]: [{ host?: string; port?: number | string }]) => options).filter((o) => Number(o.port) === internal.port || Number(o.port) === 80);

  it.each([
    ['a WEB_FOLDER whose host resolves to loopback', () => '/internal/x.png'],
    ['a proxied loopback address', () => `/proxy/http://127.0.0.1:${internal.port}/x.png`],
    ['a proxied IPv6 loopback address', () => `/proxy/http://[::1]:${internal.port}/x.png`],
    ['a proxied IPv4-mapped loopback address', () => `/proxy/http://[::ffff:127.0.0.1]:${internal.port}/x.png`],
    ['the cloud metadata service', () => '/proxy/http://169.254.169.254/metadata/instance?api-version=2021-02-01'],
    ['a private address', () => '/proxy/http://10.0.0.1/x.png'],
  ])('refuses %s with 404 EACCES, connecting nowhere', async (_name, path) => {
    const response = await fetch(`${app.url}${path()}`);
    expect(response.status).toBe(404);
    expect(response.headers.get('ik-error')).toMatch(/^EACCES - The web origin's host resolves to a .* address, which origins may not reach/);
    expect(await response.text()).not.toContain('secret');
    expect(internal.connections).toBe(0);
    expect(dialled()).toEqual([]);
  });
});
