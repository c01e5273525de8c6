import type { ServerResponse } from 'node:http';
import sharp from 'sharp';
import { ikFailure as failure } from '../helpers/failure';
import { freePort } from '../helpers/azurite';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server';
import { httpFetch } from '../../shared/origins/http-fetch';
import type { FetchLimits, OriginRequest } from '../../shared/origins/types';
import { webFolderOrigin, webFolderUrl } from '../../shared/origins/web-folder';
import { proxiedUrl, webProxyOrigin } from '../../shared/origins/web-proxy';

const limits: FetchLimits = { maxBytes: 100_000, connectTimeoutMs: 2000, timeoutMs: 500, allowPrivateAddresses: true };
const request: OriginRequest = { limits, proxyAllowed: false };

describe('web origins against real loopback servers', () => {
  let server: LoopbackServer;
  let png: Buffer;
  /** Bytes the endless response managed to write before the client hung up. */
  let endlessWritten = 0;

  const redirect = (res: ServerResponse, location: string) => res.writeHead(302, { location }).end();

  beforeAll(async () => {
    png = await sharp({ create: { width: 100, height: 80, channels: 3, background: '#c33' } }).png().toBuffer();
    server = await startLoopbackServer((req, res) => {
      const path = req.url ?? '';
      const hops = /^\/base\/redirect\/(\d+)$/.exec(path);
      if (hops) return Number(hops[1]) === 0 ? redirect(res, '/base/photo.png') : redirect(res, `/base/redirect/${Number(hops[1]) - 1}`);
      switch (path) {
        case '/base/photo.png':
        case '/base/a%20b/c%2Bd.png':
          return res.writeHead(200, { 'content-type': 'image/png', etag: '"v1"', 'last-modified': 'Wed, 01 Jan 2025 00:00:00 GMT' }).end(png);
        case '/base/gone.png':
          return res.writeHead(410).end();
        case '/base/forbidden.png':
          return res.writeHead(403).end('no');
        case '/base/broken.png':
          return res.writeHead(500).end('oops');
        case '/base/page.html':
          return res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not an image</html>');
        case '/base/slow.png':
          return; // never answers
        case '/base/slow-body.png':
          res.writeHead(200, { 'content-length': '1000' });
          return void res.write(png.subarray(0, 10));
        case '/base/short.png':
          // Announces 1000 bytes, sends 10, then hangs up.
          res.writeHead(200, { 'content-length': '1000' });
          return void res.write(png.subarray(0, 10), () => res.socket?.destroy());
        case '/base/huge-declared.png':
          res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
          return void res.flushHeaders();
        case '/base/endless.png': {
          // No Content-Length: only counting while downloading can stop it.
          res.writeHead(200, { 'content-type': 'image/png' });
          const chunk = Buffer.alloc(16 * 1024, 7);
          const timer = setInterval(() => {
            if (res.destroyed || endlessWritten > 50 * 1024 * 1024) return clearInterval(timer);
            res.write(chunk);
            endlessWritten += chunk.length;
          }, 1);
          return;
        }
        case '/base/loop.png':
          return redirect(res, '/base/loop.png');
        case '/base/relative.png':
          return redirect(res, 'photo.png');
        case '/base/to-file.png':
          return redirect(res, 'file:///etc/passwd');
        default:
          return res.writeHead(404).end();
      }
    });
  });
  afterAll(() => server.close());

  const folder = (overrides: { forwardHostHeaderToOrigin?: boolean } = {}) =>
    webFolderOrigin({ type: 'WEB_FOLDER', name: 'web', includeCanonicalHeader: false, baseUrl: `${server.url}/base/`, forwardHostHeaderToOrigin: false, ...overrides });

  it('GETs <baseUrl>/<path> with x-req-from: imagekit, returning type and validators', async () => {
    const found = await folder().fetch('photo.png', request);
    expect(found?.body.equals(png)).toBe(true);
    expect(found).toMatchObject({ contentType: 'image/png', etag: '"v1"' });
    expect(found?.lastModified?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    const seen = server.requests.at(-1)!;
    expect(seen.headers['x-req-from']).toBe('imagekit');
    expect(seen.headers.host).toBe(`127.0.0.1:${server.port}`);
  });

  it('re-encodes each decoded path segment and refuses dot segments in every encoding, without a request', async () => {
    expect((await folder().fetch('a b/c+d.png', request))?.body.equals(png)).toBe(true);
    const requestsBefore = server.requests.length;
    for (const escape of ['a/../../secret', './x', '..%2fsecret', '..%252fsecret', 'a\\..\\..\\secret', '%2e%2e/secret']) {
      expect(() => webFolderUrl('https://example.com/images/', escape)).toThrow(expect.objectContaining({ status: 400, code: 'EBADPARAM' }));
      expect(await failure(folder().fetch(escape, request))).toMatchObject({ status: 400, code: 'EBADPARAM' });
    }
    expect(server.requests.length).toBe(requestsBefore);
    expect(webFolderUrl('https://example.com', 'a/ü #?.png').href).toBe('https://example.com/a/%C3%BC%20%23%3F.png');
  });

  it('forwards the client host only when the origin says so', async () => {
    await folder({ forwardHostHeaderToOrigin: true }).fetch('photo.png', { ...request, requestHost: 'images.example.com' });
    expect(server.requests.at(-1)!.headers.host).toBe('images.example.com');
  });

  it('404 and 410 are not found; 403 is EACCES; 500 is UNIDENTIFIED', async () => {
    expect(await folder().fetch('missing.png', request)).toBeUndefined();
    expect(await folder().fetch('gone.png', request)).toBeUndefined();
    const forbidden = await failure(folder().fetch('forbidden.png', request));
    expect(forbidden).toMatchObject({ status: 404, code: 'EACCES' });
    expect(forbidden.message).toBe('The web origin refused access (403): allow this server to read the files (firewall, authentication, hotlink protection)');
    expect(forbidden.detail).toBe(`http://127.0.0.1:${server.port} answered 403`);
    const broken = await failure(folder().fetch('broken.png', request));
    expect(broken).toMatchObject({ status: 404, code: 'UNIDENTIFIED', message: 'The web origin answered 500' });
    expect(broken.detail).toBe(`http://127.0.0.1:${server.port} answered 500`);
  });

  it('a refused connection is ECONNREFUSED', async () => {
    const port = await freePort();
    const error = await failure(httpFetch(new URL(`http://127.0.0.1:${port}/x.png`), { limits }));
    expect(error).toMatchObject({ status: 404, code: 'ECONNREFUSED', message: 'The web origin refused the connection' });
    expect(error.detail).toBe(`http://127.0.0.1:${port} refused the connection`);
  });

  it('a server that never answers, or stops mid-body, is ETIMEDOUT at the total deadline', async () => {
    const started = Date.now();
    expect(await failure(folder().fetch('slow.png', request))).toMatchObject({ status: 504, code: 'ETIMEDOUT' });
    expect(await failure(folder().fetch('slow-body.png', request))).toMatchObject({ status: 504, code: 'ETIMEDOUT' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a body shorter than its Content-Length is an error, not a truncated image', async () => {
    const error = await failure(folder().fetch('short.png', request));
    expect(error).toMatchObject({ status: 404, code: 'UNIDENTIFIED' });
  });

  it('refuses a declared size over the limit before reading, and an undeclared one while downloading', async () => {
    expect(await failure(folder().fetch('huge-declared.png', request))).toMatchObject({ status: 400, code: 'ELIMIT' });
    const error = await failure(folder().fetch('endless.png', request));
    expect(error).toMatchObject({ status: 400, code: 'ELIMIT' });
    // The download stopped near the limit; the server did not get to send its 50 MB.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(endlessWritten).toBeLessThan(5 * 1024 * 1024);
  });

  it('hands a non-image back as it is: deciding what to do with it is the transform step', async () => {
    const found = await folder().fetch('page.html', request);
    expect(found?.contentType).toBe('text/html');
  });

  it('follows up to 3 redirects, relative ones too, and refuses the 4th and loops', async () => {
    expect((await folder().fetch('relative.png', request))?.body.equals(png)).toBe(true);
    // redirect/2 -> redirect/1 -> redirect/0 -> photo.png: three redirects.
    expect((await folder().fetch('redirect/2', request))?.body.equals(png)).toBe(true);
    const tooMany = await failure(folder().fetch('redirect/3', request));
    expect(tooMany).toMatchObject({ status: 404, code: 'UNIDENTIFIED' });
    expect(tooMany.message).toContain('more than 3 times');
    const before = server.requests.length;
    expect(await failure(folder().fetch('loop.png', request))).toMatchObject({ code: 'UNIDENTIFIED' });
    expect(server.requests.length - before).toBe(4);
  });

  it('refuses a redirect to anything but http and https', async () => {
    const error = await failure(folder().fetch('to-file.png', request));
    expect(error).toMatchObject({ status: 404, code: 'EACCES' });
    expect(error.message).toContain('file:');
  });

  describe('WEB_PROXY', () => {
    it('reads the absolute URL after the endpoint, plain (with // folded) or percent-encoded', () => {
      expect(proxiedUrl('https:/www.example.com/a b.jpg')?.href).toBe('https://www.example.com/a%20b.jpg');
      expect(proxiedUrl('https://www.example.com/a.jpg?v=2')?.href).toBe('https://www.example.com/a.jpg?v=2');
      expect(proxiedUrl('HTTP://example.com/x.png')?.href).toBe('http://example.com/x.png');
      expect(proxiedUrl('ftp://example.com/x.png')).toBeUndefined();
      expect(proxiedUrl('photos/a.jpg')).toBeUndefined();
      expect(proxiedUrl('https:///nohost')).toBeUndefined();
    });

    it('fetches only when allowed (signed URL or endpoint opt-in), with x-req-from: imagekit', async () => {
      const path = `${server.url}/base/photo.png`.replace('//', '/');
      const refused = await failure(webProxyOrigin().fetch(path, request));
      expect(refused).toMatchObject({ status: 401, code: 'EUNAUTHORIZED' });
      const found = await webProxyOrigin().fetch(path, { ...request, proxyAllowed: true });
      expect(found?.body.equals(png)).toBe(true);
      expect(server.requests.at(-1)!.headers['x-req-from']).toBe('imagekit');
    });

    it('a path that is not an absolute URL is not found, whether allowed or not', async () => {
      expect(await webProxyOrigin().fetch('photos/a.jpg', request)).toBeUndefined();
    });
  });
});
