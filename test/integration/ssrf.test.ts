import net from 'node:net';
import { ikFailure as failure } from '../helpers/failure';
import { httpFetch } from '../../shared/origins/http-fetch';
import type { FetchLimits } from '../../shared/origins/types';
import { webFolderOrigin } from '../../shared/origins/web-folder';
import { forbiddenAddressReason } from '../../shared/security/ssrf';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server';

// `origin.test` stands for a public web server: it is not in DNS, and the guard pins it to the loopback test
// server, so a test can show the redirect after it being checked, and the connection going to the pinned address.
jest.mock('../../shared/security/ssrf', () => {
  const actual = jest.requireActual('../../shared/security/ssrf');
  return {
    ...actual,
    resolvePublicAddress: (host: string, allowPrivate: boolean) =>
      host === 'origin.test' ? Promise.resolve({ address: '127.0.0.1', family: 4 }) : actual.resolvePublicAddress(host, allowPrivate),
  };
});

const guarded: FetchLimits = { maxBytes: 100_000, connectTimeoutMs: 1000, timeoutMs: 2000, allowPrivateAddresses: false };

describe('forbiddenAddressReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.20.1.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['168.63.129.16', 'Azure platform (metadata)'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.100.100.200', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::ffff:127.0.0.1', 'IPv4-mapped'],
    ['::ffff:8.8.8.8', 'IPv4-mapped'],
    ['64:ff9b::a9fe:a9fe', 'NAT64'],
    ['2002:7f00:1::', '6to4'],
    ['2001:0:4136:e378::1', 'Teredo'],
    ['fd00:ec2::254', 'private'],
    ['fe80::1', 'link-local'],
  ])('%s is refused as %s', (address, reason) => {
    expect(forbiddenAddressReason(address)).toBe(reason);
  });

  it.each(['8.8.8.8', '1.1.1.1', '20.60.0.1', '2606:4700:4700::1111', '2a01:111:f100::1'])('%s is public', (address) => {
    expect(forbiddenAddressReason(address)).toBeUndefined();
  });
});

describe('SSRF guard on web origin fetches', () => {
  let server: LoopbackServer;
  let server6: LoopbackServer | undefined;
  let target: LoopbackServer;
  let connect: jest.SpyInstance;

  beforeAll(async () => {
    server = await startLoopbackServer((req, res) => {
      if (req.url === '/to-localhost') return res.writeHead(302, { location: `http://localhost:${target.port}/x.png` }).end();
      if (req.url === '/to-metadata') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      res.writeHead(200, { 'content-type': 'image/png' }).end('ok');
    });
    target = await startLoopbackServer((_req, res) => res.end('reached'));
    // Hosts without IPv6 cannot listen on ::1; the refusal itself is shown either way.
    server6 = await startLoopbackServer((_req, res) => res.end('reached'), '::1').catch(() => undefined);
  });
  afterAll(async () => {
    await Promise.all([server.close(), target.close(), server6?.close()]);
  });
  beforeEach(() => {
    connect = jest.spyOn(net.Socket.prototype, 'connect');
  });
  afterEach(() => connect.mockRestore());

  it.each([
    ['loopback IPv4', (p: number) => `http://127.0.0.1:${p}/x.png`],
    ['loopback IPv6', (p: number) => `http://[::1]:${p}/x.png`],
    ['IPv4-mapped IPv6 loopback', (p: number) => `http://[::ffff:127.0.0.1]:${p}/x.png`],
    ['a name that resolves to loopback', (p: number) => `http://localhost:${p}/x.png`],
    ['unspecified', (p: number) => `http://0.0.0.0:${p}/x.png`],
    ['loopback as a decimal number', (p: number) => `http://2130706433:${p}/x.png`],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/'],
    ['a private address', () => 'http://10.0.0.1/x.png'],
    ['https to a private address', () => 'https://10.0.0.1/x.png'],
  ])('refuses %s before connecting', async (_name, url) => {
    const error = await failure(httpFetch(new URL(url(server.port)), { limits: guarded }));
    expect(error).toMatchObject({ status: 404, code: 'EACCES' });
    expect(error.message).toContain('ALLOW_PRIVATE_ORIGIN_ADDRESSES');
    expect(connect).not.toHaveBeenCalled();
    expect(server.connections).toBe(0);
    expect(server6?.connections ?? 0).toBe(0);
  });

  it('a WEB_FOLDER origin on a private address is refused with a message that says why', async () => {
    const origin = webFolderOrigin({ type: 'WEB_FOLDER', name: 'internal', includeCanonicalHeader: false, baseUrl: `http://localhost:${server.port}`, forwardHostHeaderToOrigin: false });
    const error = await failure(origin.fetch('x.png', { limits: guarded, proxyAllowed: false }));
    expect(error.message).toBe("The web origin's host resolves to a loopback address, which origins may not reach (ALLOW_PRIVATE_ORIGIN_ADDRESSES is off)");
    expect(error.detail).toMatch(/^"localhost" resolves to (127\.0\.0\.1|::1), a loopback address$/);
    expect(server.connections).toBe(0);
  });

  it('connects to the address the guard checked, and checks every redirect again', async () => {
    // origin.test is resolvable only by the guard: reaching the server proves the connection used the pinned address.
    const found = await httpFetch(new URL(`http://origin.test:${server.port}/ok.png`), { limits: guarded });
    expect(found?.body.toString()).toBe('ok');
    expect(server.requests.at(-1)!.headers.host).toBe(`origin.test:${server.port}`);

    expect(await failure(httpFetch(new URL(`http://origin.test:${server.port}/to-localhost`), { limits: guarded }))).toMatchObject({ code: 'EACCES' });
    expect(target.connections).toBe(0);
    connect.mockClear();
    expect(await failure(httpFetch(new URL(`http://origin.test:${server.port}/to-metadata`), { limits: guarded }))).toMatchObject({ code: 'EACCES' });
    // Only the first hop connected: the metadata address was never dialled.
    expect(connect.mock.calls.length).toBeLessThanOrEqual(1);
    expect(connect.mock.calls.flat().map((arg) => JSON.stringify(arg) ?? '').join()).not.toContain('169.254');
  });

  it('ALLOW_PRIVATE_ORIGIN_ADDRESSES lets loopback through, names included', async () => {
    const open = { ...guarded, allowPrivateAddresses: true };
    expect((await httpFetch(new URL(`http://127.0.0.1:${target.port}/x.png`), { limits: open }))?.body.toString()).toBe('reached');
    expect((await httpFetch(new URL(`http://localhost:${target.port}/x.png`), { limits: open }))?.body.toString()).toBe('reached');
    expect(target.connections).toBeGreaterThan(0);
    expect(connect).toHaveBeenCalled();
  });
});
