import ImageKit from '@imagekit/nodejs';
import { ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { createHmac } from 'node:crypto';
import sharp from 'sharp';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../dev/azurite';
import { readOnlyContainerSas } from '../../dev/seed';
import { fetchOriginal } from '../../shared/delivery/fetch-original';
import { startTestApp, type TestApp } from '../helpers/app';
import { freePort } from '../helpers/azurite';
import { ikFailure } from '../helpers/failure';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server';

/** Endpoint fields this server adds to ImageKit's; the SDK's types do not know them. */
type EndpointBody = Parameters<ImageKit['accounts']['urlEndpoints']['create']>[0];

describe('origins end to end: web folder, web proxy, fallback order and every mapped fault', () => {
  let app: TestApp;
  let client: ImageKit;
  let web: LoopbackServer;
  let webOnly: Buffer;
  let fallback: Buffer;

  const png = (background: string) => sharp({ create: { width: 200, height: 100, channels: 3, background } }).png().toBuffer();

  async function get(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${app.url}${path}`, { headers });
    const body = Buffer.from(await response.arrayBuffer());
    const ikError = response.headers.get('ik-error') ?? '';
    return { status: response.status, code: ikError.split(' - ')[0] || null, ikError, headers: response.headers, body };
  }

  beforeAll(async () => {
    // Loopback origins need the unsafe setting; origins-ssrf.test.ts shows the same origins refused without it.
    app = await startTestApp({ ALLOW_PRIVATE_ORIGIN_ADDRESSES: 'true', ORIGIN_TIMEOUT_MS: '800', MAX_INPUT_BYTES: '300000' });
    client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    webOnly = await png('#36c');
    fallback = await png('#3c6');
    web = await startLoopbackServer((req, res) => {
      switch (req.url) {
        case '/site/only-web.png':
          return res.writeHead(200, { 'content-type': 'image/png' }).end(webOnly);
        case '/site/page.html':
          return res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hello</p>');
        case '/site/forbidden.png':
          return res.writeHead(403).end();
        case '/site/slow.png':
          return; // never answers
        case '/site/huge.png':
          res.writeHead(200, { 'content-type': 'image/png' });
          return void res.end(Buffer.alloc(1024 * 1024, 1));
        case '/site/loop.png':
          return res.writeHead(301, { location: '/site/loop.png' }).end();
        default:
          return res.writeHead(404).end();
      }
    });

    const photos = app.blobs.getContainerClient('photos');
    await photos.create();
    await photos.getBlockBlobClient('fallback/default.png').uploadData(fallback, { blobHTTPHeaders: { blobContentType: 'image/png' } });
    await app.blobs.getContainerClient('empty').create();
    const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
    const sas = (permissions: string, expiresOn: Date) =>
      `?${generateBlobSASQueryParameters({ containerName: 'photos', permissions: ContainerSASPermissions.parse(permissions), expiresOn }, credential).toString()}`;

    const blob = (name: string, container: string, sasToken: string) =>
      client.accounts.origins.create({ type: 'AZURE_BLOB', name, accountName: AZURITE_ACCOUNT, container, sasToken, endpoint: app.azurite.blobEndpoint } as never);
    const origins = {
      photos: await blob('Photos', 'photos', readOnlyContainerSas(AZURITE_ACCOUNT, AZURITE_KEY, 'photos')),
      empty: await blob('Empty', 'empty', readOnlyContainerSas(AZURITE_ACCOUNT, AZURITE_KEY, 'empty')),
      noContainer: await blob('Gone', 'missing', readOnlyContainerSas(AZURITE_ACCOUNT, AZURITE_KEY, 'missing')),
      expired: await blob('Expired', 'photos', sas('r', new Date(Date.now() - 3600_000))),
      noRead: await blob('List only', 'photos', sas('l', new Date(Date.now() + 3600_000))),
      web: await client.accounts.origins.create({ type: 'WEB_FOLDER', name: 'Site', baseUrl: `${web.url}/site` }),
      forwarding: await client.accounts.origins.create({ type: 'WEB_FOLDER', name: 'Site with host', baseUrl: `${web.url}/site`, forwardHostHeaderToOrigin: true }),
      refused: await client.accounts.origins.create({ type: 'WEB_FOLDER', name: 'Down', baseUrl: `http://127.0.0.1:${await freePort()}` }),
      proxy: await client.accounts.origins.create({ type: 'WEB_PROXY', name: 'Proxy' }),
    };
    const endpoint = (urlPrefix: string, ids: string[], extra: Record<string, unknown> = {}) =>
      client.accounts.urlEndpoints.create({ description: urlPrefix, urlPrefix, origins: ids, ...extra } as EndpointBody);
    await endpoint('web', [origins.empty.id, origins.web.id, origins.photos.id]);
    await endpoint('host', [origins.forwarding.id]);
    await endpoint('refused', [origins.refused.id]);
    await endpoint('nocontainer', [origins.noContainer.id]);
    await endpoint('expired', [origins.expired.id, origins.web.id]);
    await endpoint('noread', [origins.noRead.id]);
    await endpoint('proxy', [origins.proxy.id]);
    await endpoint('openproxy', [origins.proxy.id], { allowUnsignedWebProxy: true });
  });
  afterAll(async () => {
    await web.close();
    await app.close();
  });

  it('the management API creates WEB_FOLDER and WEB_PROXY origins in ImageKit shape and validates baseUrl', async () => {
    const folder = await client.accounts.origins.create({ type: 'WEB_FOLDER', name: 'Docs', baseUrl: 'https://www.example.com/images' });
    expect(folder).toEqual({ id: folder.id, type: 'WEB_FOLDER', name: 'Docs', baseUrl: 'https://www.example.com/images', forwardHostHeaderToOrigin: false, includeCanonicalHeader: false });
    const proxy = await client.accounts.origins.create({ type: 'WEB_PROXY', name: 'Any' });
    expect(proxy).toEqual({ id: proxy.id, type: 'WEB_PROXY', name: 'Any', includeCanonicalHeader: false });
    await expect(client.accounts.origins.create({ type: 'WEB_FOLDER', name: 'Bad', baseUrl: 'file:///etc' })).rejects.toMatchObject({ status: 400 });
    const open = (await client.accounts.urlEndpoints.list()).find((e) => e.urlPrefix === 'openproxy');
    expect(open).toMatchObject({ allowUnsignedWebProxy: true });
  });

  it('origins are tried in order: an asset only in the second is served, transformed', async () => {
    const response = await get('/web/tr:w-50/only-web.png');
    expect(response.status).toBe(200);
    expect((await sharp(response.body).metadata()).width).toBe(50);
    expect(web.requests.at(-1)!.headers['x-req-from']).toBe('imagekit');
  });

  it('not found anywhere is 404 ENOENT, cached briefly', async () => {
    const response = await get('/web/missing.png');
    expect([response.status, response.code]).toEqual([404, 'ENOENT']);
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
  });

  it.each([
    ['/web/forbidden.png', 404, 'EACCES'],
    ['/web/huge.png', 400, 'ELIMIT'],
    ['/web/loop.png', 404, 'UNIDENTIFIED'],
    ['/web/tr:w-50/page.html', 400, 'EUNSUPPORTED'],
    ['/refused/photo.png', 404, 'ECONNREFUSED'],
    ['/nocontainer/photo.png', 404, 'ENOENT'],
    ['/noread/fallback/default.png', 404, 'EACCES'],
    // A failure other than not-found is reported, not skipped: the web folder after it is not asked.
    ['/expired/only-web.png', 404, 'EACCES'],
  ])('%s answers %i %s, cached briefly', async (path, status, code) => {
    const response = await get(path);
    expect([response.status, response.code]).toEqual([status, code]);
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
  });

  it('an origin that does not answer in time is 504 ETIMEDOUT, not cached', async () => {
    const response = await get('/web/slow.png');
    expect([response.status, response.code]).toEqual([504, 'ETIMEDOUT']);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('SAS problems say what to fix and never show the token; the log names the container and account', async () => {
    const warn = jest.spyOn(console, 'warn');
    try {
      const expired = await get('/expired/fallback/default.png');
      expect(expired.ikError).toMatch(/^EACCES - The origin refused access: its SAS token expired on \d{4}-\d\d-\d\dT[\d:]+Z; create a new one and update the origin$/);
      const noRead = await get('/noread/fallback/default.png');
      expect(noRead.ikError).toBe('EACCES - The origin refused access: its SAS token lacks read permission (sp=l); create one with "r"');
      for (const text of [expired.ikError, noRead.ikError]) expect(text).not.toMatch(new RegExp(`sig=|sv=|${AZURITE_ACCOUNT}|photos|127\\.0\\.0\\.1`));
      const logged = warn.mock.calls.map((args) => args.join(' '));
      for (const response of [expired, noRead]) {
        const line = logged.find((l) => l.startsWith(`delivery ${response.headers.get('x-request-id')} failed: EACCES `));
        expect(line).toContain(`in container "photos" of account "${AZURITE_ACCOUNT}"`);
        expect(line).not.toMatch(/sig=|sv=/);
      }
    } finally {
      warn.mockRestore();
    }
  });

  it('forwards the client host (X-Forwarded-Host, as Front Door sends it) only for an origin that asks for it', async () => {
    await get('/host/only-web.png', { 'x-forwarded-host': 'images.example.com' });
    expect(web.requests.at(-1)!.headers.host).toBe('images.example.com');
    await get('/web/tr:w-51/only-web.png', { 'x-forwarded-host': 'images.example.com' });
    expect(web.requests.at(-1)!.headers.host).toBe(`127.0.0.1:${web.port}`);
  });

  describe('WEB_PROXY', () => {
    const target = () => `${web.url}/site/only-web.png`;
    /** ImageKit's signature over the path after the endpoint, never expiring. */
    const sign = (afterEndpoint: string) => createHmac('sha1', app.privateKey).update(`${afterEndpoint}9999999999`).digest('hex');

    it('an unsigned URL is 401 unless the endpoint allows unsigned proxying', async () => {
      const unsigned = await get(`/proxy/${target()}`);
      expect([unsigned.status, unsigned.code]).toEqual([401, 'EUNAUTHORIZED']);
      const open = await get(`/openproxy/tr:w-40/${target()}`);
      expect(open.status).toBe(200);
      expect((await sharp(open.body).metadata()).width).toBe(40);
    });

    it('a signed URL is fetched, plain or percent-encoded', async () => {
      const plain = await get(`/proxy/${target()}?ik-s=${sign(target())}`);
      expect(plain.status).toBe(200);
      const encoded = encodeURIComponent(target());
      const response = await get(`/proxy/${encoded}?ik-s=${sign(encoded)}`);
      expect(response.status).toBe(200);
      expect(web.requests.at(-1)!.headers['x-req-from']).toBe('imagekit');
    });

    it('a missing proxied file is ENOENT', async () => {
      const missing = `${web.url}/site/nothing.png`;
      expect((await get(`/proxy/${missing}?ik-s=${sign(missing)}`)).code).toBe('ENOENT');
    });
  });

  describe('default image (di-): the fetch side', () => {
    it('stands in when no origin has the asset, with @@ for /', async () => {
      const config = await app.parts().config.current();
      const endpoint = config.endpoints.find((e) => e.urlPrefix === 'web')!;
      const found = await fetchOriginal(app.parts().origins, config, endpoint, 'missing.png', { signed: false, defaultImage: 'fallback@@default.png' });
      expect(found.defaultImagePath).toBe('fallback/default.png');
      expect(found.body.equals(fallback)).toBe(true);
      const existing = await fetchOriginal(app.parts().origins, config, endpoint, 'only-web.png', { signed: false, defaultImage: 'fallback@@default.png' });
      expect(existing.defaultImagePath).toBeUndefined();
    });

    it('over HTTP: the default image is transformed like the asset, served briefly and not stored', async () => {
      for (const attempt of [1, 2]) {
        const response = await get('/web/tr:w-50,di-@@fallback@@default.png/missing.png');
        expect([attempt, response.status, response.headers.get('x-rendition-cache')]).toEqual([attempt, 200, 'MISS']);
        expect(response.headers.get('cache-control')).toBe('public, max-age=60, s-maxage=60');
        const { data, info } = await sharp(response.body).raw().toBuffer({ resolveWithObject: true });
        expect([info.width, info.height]).toEqual([50, 25]);
        // The default image's green (#3c6), within what lossy encoding moves it.
        [0x33, 0xcc, 0x66].forEach((channel, i) => expect(Math.abs(data[i] - channel)).toBeLessThanOrEqual(4));
      }
      expect((await get('/web/tr:w-50,di-..@@secret.png/missing.png')).code).toBe('EBADPARAM');
    });

    it('a missing default image is ENOENT naming both', async () => {
      const config = await app.parts().config.current();
      const endpoint = config.endpoints.find((e) => e.urlPrefix === 'web')!;
      const error = await ikFailure(fetchOriginal(app.parts().origins, config, endpoint, 'missing.png', { signed: false, defaultImage: 'nope.png' }));
      expect(error).toMatchObject({ status: 404, code: 'ENOENT' });
      expect(error.message).toContain('nor the default image "nope.png"');
    });
  });
});
