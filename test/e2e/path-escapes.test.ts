import ImageKit from '@imagekit/nodejs';
import http from 'node:http';
import sharp from 'sharp';
import { AZURITE_ACCOUNT } from '../../dev/azurite';
import { deliveryCounters } from '../../shared/delivery/metrics';
import { startTestApp, type TestApp } from '../helpers/app';
import { azuriteAccountSas } from '../helpers/azurite';

/** A GET with the request target exactly as written: fetch() would fold `/../` and turn `\` into `/` first. */
function rawGet(base: string, target: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path: target, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('paths that could climb out of the origin: 400 EBADPARAM in every encoding, nothing fetched or written', () => {
  let app: TestApp;
  let secret: Buffer;
  let endpointId: string;

  beforeAll(async () => {
    app = await startTestApp({ MEMORY_CACHE_MB: '0' });
    const client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    const photos = app.blobs.getContainerClient('photos');
    const other = app.blobs.getContainerClient('other');
    await Promise.all([photos.createIfNotExists(), other.createIfNotExists()]);
    const red = await sharp({ create: { width: 60, height: 40, channels: 3, background: '#d00' } }).png().toBuffer();
    secret = await sharp({ create: { width: 50, height: 50, channels: 3, background: '#0d0' } }).png().toBuffer();
    const png = { blobHTTPHeaders: { blobContentType: 'image/png' } };
    await photos.getBlockBlobClient('pub/red.png').uploadData(red, png);
    await photos.getBlockBlobClient('priv/secret.png').uploadData(secret, png);
    await other.getBlockBlobClient('secret.png').uploadData(secret, png);
    // The worst case: an account-wide SAS that could read (and, were the app to write with it, write) everything.
    const sasToken = `?${azuriteAccountSas('b', 'sco', 'rwdlac')}`;
    const origin = await client.accounts.origins.create({ type: 'AZURE_BLOB', name: 'Public part', accountName: AZURITE_ACCOUNT, container: 'photos', prefix: 'pub', sasToken, endpoint: app.azurite.blobEndpoint } as Parameters<typeof client.accounts.origins.create>[0]);
    await client.accounts.urlEndpoints.update('default', { description: 'Default', origins: [origin.id] });
    endpointId = 'default';
  });
  afterAll(() => app.close());

  it('serves what is under the prefix', async () => {
    const response = await rawGet(app.url, '/tr:w-30/red.png');
    expect(response.status).toBe(200);
    expect((await sharp(response.body).metadata()).width).toBe(30);
  });

  const escapes: [string, string][] = [
    ['%2f-encoded ..', '/..%2fpriv%2fsecret.png'],
    ['%2F-encoded ..', '/..%2Fpriv%2Fsecret.png'],
    ['%2e%2e with %2f', '/%2e%2e%2fpriv%2fsecret.png'],
    ['..%5c (backslash)', '/..%5cpriv%5csecret.png'],
    ['a raw backslash', '/..\\priv\\secret.png'],
    ['double encoding', '/..%252fpriv%252fsecret.png'],
    ['double-encoded dots', '/%252e%252e%252fpriv%252fsecret.png'],
    ['triple encoding', '/..%25252fpriv%25252fsecret.png'],
    ['a raw .. segment', '/../priv/secret.png'],
    ['a raw %2e%2e segment', '/%2e%2e/priv/secret.png'],
    ['a . segment', '/./red.png'],
    ['into another container, with a transformation (a rendition write)', '/tr:w-34/..%2f..%2fother%2fsecret.png'],
    ['into another container, double encoded', '/tr:w-34/..%252f..%252fother%252fsecret.png'],
    ['a layer path (i-)', '/tr:l-image,i-..@@priv@@secret.png,l-end/red.png'],
    ['a layer path with %2f', '/tr:l-image,i-..%252fpriv%252fsecret.png,l-end/red.png'],
    ['a layer path in base64 (ie-)', `/tr:l-image,ie-${encodeURIComponent(base64('../priv/secret.png'))},l-end/red.png`],
    ['a nested layer path', '/tr:l-image,i-red.png,l-image,i-..@@..@@other@@secret.png,l-end,l-end/red.png'],
    ['a default image (di-)', '/tr:di-..@@priv@@secret.png/missing.png'],
    ['a default image with backslashes', '/tr:di-..%255cpriv%255csecret.png/missing.png'],
    ['a font path (ff-)', '/tr:l-text,i-Hi,ff-..@@..@@other@@font.ttf,l-end/red.png'],
    ['the query form', '/..%2fpriv%2fsecret.png?tr=w-20'],
  ];

  it.each(escapes)('%s', async (_name, target) => {
    const fetchesBefore = deliveryCounters.originFetches;
    const response = await rawGet(app.url, target);
    expect(response.status).toBe(400);
    expect(response.headers['ik-error']).toMatch(/^EBADPARAM - Invalid path ".+" for (the asset|the request|parameter "(i|ie|di|ff)")/);
    expect(response.body.includes(secret)).toBe(false);
    expect(deliveryCounters.originFetches).toBe(fetchesBefore);
  });

  it('no blob was written outside <rendition container>/<endpoint id>/, and the origins are untouched', async () => {
    const names = async (container: string) => {
      const found: string[] = [];
      for await (const blob of app.blobs.getContainerClient(container).listBlobsFlat()) found.push(blob.name);
      return found.sort();
    };
    expect(await names('photos')).toEqual(['priv/secret.png', 'pub/red.png']);
    expect(await names('other')).toEqual(['secret.png']);
    const renditions = await names('renditions');
    expect(renditions.length).toBeGreaterThan(0);
    expect(renditions.every((name) => name.startsWith(`${endpointId}/red.png/`))).toBe(true);
  });

  it('a purge of a path that climbs out is refused with 400 naming the path', async () => {
    const response = await fetch(`${app.url}/v1/files/purge`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${app.privateKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${app.url}/..%2f..%2fother%2f*` }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).message).toMatch(/Invalid path/);
  });
});
