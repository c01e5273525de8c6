import ImageKit from '@imagekit/nodejs';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import sharp from 'sharp';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../dev/azurite';
import { readOnlyContainerSas } from '../../dev/seed';
import { managementHandler } from '../../shared/manage/api';
import { createAuthenticator } from '../../shared/security/manage-auth';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';
import { freePort } from '../helpers/azurite';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server';

/** Endpoint fields this server adds to ImageKit's; the SDK's types do not know them. */
type EndpointBody = Parameters<ImageKit['accounts']['urlEndpoints']['create']>[0];

const PHOTOS = 'hygienephotos';
const MISSING = 'hygienemissing';

describe('error hygiene: public messages say what failed, the log says where', () => {
  let app: TestApp;
  let web: LoopbackServer;
  let closedPort: number;
  let expiredSig: string;
  /** Every line the handlers logged through their InvocationContext (which writes to the console outside the host). */
  let logged: string[];
  let spies: jest.SpyInstance[];

  beforeAll(async () => {
    // Loopback web origins need the unsafe setting; the SSRF guard has its own tests.
    app = await startTestApp({ ALLOW_PRIVATE_ORIGIN_ADDRESSES: 'true' });
    const client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    web = await startLoopbackServer((req, res) => res.writeHead(req.url === '/site/forbidden.png' ? 403 : 500).end('no'));
    closedPort = await freePort();
    await serveDemoFromDefaultEndpoint(app, client, PHOTOS);
    const jpeg = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#c33' } }).jpeg().toBuffer();
    await app.blobs.getContainerClient(PHOTOS).getBlockBlobClient('cut.jpg').uploadData(jpeg.subarray(0, jpeg.length / 2), { blobHTTPHeaders: { blobContentType: 'image/jpeg' } });

    const expired = `?${generateBlobSASQueryParameters(
      { containerName: PHOTOS, permissions: ContainerSASPermissions.parse('r'), expiresOn: new Date(Date.now() - 3600_000) },
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    ).toString()}`;
    expiredSig = new URLSearchParams(expired.slice(1)).get('sig')!;
    const blob = (name: string, container: string, sasToken: string, endpoint = app.azurite.blobEndpoint) =>
      client.accounts.origins.create({ type: 'AZURE_BLOB', name, accountName: AZURITE_ACCOUNT, container, sasToken, endpoint } as never);
    const folder = (name: string, baseUrl: string) => client.accounts.origins.create({ type: 'WEB_FOLDER', name, baseUrl });
    const endpoints: [string, { id: string }][] = [
      ['expired', await blob('Expired', PHOTOS, expired)],
      ['nocontainer', await blob('Gone', MISSING, readOnlyContainerSas(AZURITE_ACCOUNT, AZURITE_KEY, MISSING))],
      ['storagedown', await blob('Down', PHOTOS, readOnlyContainerSas(AZURITE_ACCOUNT, AZURITE_KEY, PHOTOS), `http://127.0.0.1:${closedPort}/${AZURITE_ACCOUNT}`)],
      ['site', await folder('Site', `${web.url}/site`)],
      ['sitedown', await folder('Site down', `http://127.0.0.1:${closedPort}/site`)],
    ];
    for (const [urlPrefix, origin] of endpoints) {
      await client.accounts.urlEndpoints.create({ description: urlPrefix, urlPrefix, origins: [origin.id] } as EndpointBody);
    }
  });
  afterAll(async () => {
    await web.close();
    await app.close();
  });
  beforeEach(() => {
    logged = [];
    const capture = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
    spies = [jest.spyOn(console, 'warn').mockImplementation(capture), jest.spyOn(console, 'error').mockImplementation(capture)];
  });
  afterEach(() => spies.forEach((spy) => spy.mockRestore()));

  /** What a client learns: status, `ik-error` and body; and the log lines of that request. */
  async function get(path: string) {
    const response = await fetch(`${app.url}${path}`);
    const requestId = response.headers.get('x-request-id')!;
    return {
      status: response.status,
      ikError: response.headers.get('ik-error') ?? '',
      body: await response.text(),
      requestId,
      log: logged.filter((line) => line.includes(requestId)).join('\n'),
    };
  }

  /** Names of the storage account, containers, hosts and ports, library names and stack frames: none may reach a client. */
  function expectNothingInternal(text: string) {
    for (const secret of [AZURITE_ACCOUNT, PHOTOS, MISSING, '127.0.0.1', 'localhost', `:${closedPort}`, `:${web.port}`, `:${new URL(app.azurite.blobEndpoint).port}`]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/vips|sharp|pango|cairo|Error:|\n\s+at /i);
    expect(text).not.toContain(expiredSig);
  }

  it.each([
    ['an expired SAS', '/expired/sample/plant.jpg', 404, /^EACCES - The origin refused access: its SAS token expired on \S+; create a new one and update the origin$/, () => [`container "${PHOTOS}" of account "${AZURITE_ACCOUNT}"`, 'answered 403']],
    ['a missing container', '/nocontainer/sample/plant.jpg', 404, /^ENOENT - The origin's storage container was not found/, () => [`Container "${MISSING}" was not found in account "${AZURITE_ACCOUNT}"`]],
    ['storage refusing connections', '/storagedown/sample/plant.jpg', 404, /^ECONNREFUSED - The origin storage refused the connection/, () => [`127.0.0.1:${closedPort}/${AZURITE_ACCOUNT} refused the connection`]],
    ['a web folder answering 403', '/site/forbidden.png', 404, /^EACCES - The web origin refused access \(403\): allow this server/, () => [`127.0.0.1:${web.port} answered 403`]],
    ['a web folder answering 500', '/site/broken.png', 404, /^UNIDENTIFIED - The web origin answered 500$/, () => [`127.0.0.1:${web.port} answered 500`]],
    ['a web folder refusing connections', '/sitedown/x.png', 404, /^ECONNREFUSED - The web origin refused the connection$/, () => [`127.0.0.1:${closedPort} refused the connection`]],
    ['a text layer libvips cannot allocate', `/tr:l-text,i-${'A'.repeat(80)},fs-16383,l-end/sample/plant.jpg`, 400, /^ELIMIT - The text layer is too large to draw: use a smaller font size/, () => [/out of memory|too big/]],
    ['a cut-off JPEG', '/tr:w-100/cut.jpg', 400, /^EUNSUPPORTED - The image could not be processed/, () => [/jpeg/i]],
  ] as [string, string, number, RegExp, () => (string | RegExp)[]][])('%s: the client is told what kind of failure, the log where and why', async (_name, path, status, ikError, details) => {
    const response = await get(path);
    expect([response.status, response.ikError]).toEqual([status, expect.stringMatching(ikError)]);
    expectNothingInternal(response.ikError);
    expectNothingInternal(response.body);
    const code = response.ikError.split(' - ')[0];
    expect(response.log).toMatch(new RegExp(`^delivery ${response.requestId} failed: ${code} \\S`));
    // Ports are known only once the servers listen: the details are read when the test runs.
    for (const detail of details()) expect(response.log).toMatch(detail);
    expect(logged.join('\n')).not.toContain(expiredSig);
    expect(logged.join('\n')).not.toContain(encodeURIComponent(expiredSig));
  });

  it('a plain miss is the client\'s own business: 404 ENOENT naming the path, and nothing logged', async () => {
    const response = await get('/sample/nothing-here.jpg');
    expect([response.status, response.ikError]).toEqual([404, 'ENOENT - No file was found at "sample/nothing-here.jpg" in the URL endpoint\'s origins']);
    expect(response.log).toBe('');
  });

  it('an unexpected error is 500 with the request id; the log has the stack', async () => {
    const render = jest.spyOn(app.parts().renderer, 'render').mockRejectedValueOnce(new Error('renderer broke'));
    try {
      const response = await get('/tr:w-123/sample/plant.jpg');
      expect([response.status, response.ikError]).toEqual([500, `UNIDENTIFIED - Internal error, request id ${response.requestId}`]);
      expectNothingInternal(response.body);
      expect(response.log).toMatch(new RegExp(`^delivery ${response.requestId} failed: Error: renderer broke\\n\\s+at `));
    } finally {
      render.mockRestore();
    }
  });

  it('the management API logs an unexpected error with its request id and stack, through the context', async () => {
    const lines: string[] = [];
    const context = new InvocationContext({ functionName: 'manage', invocationId: 'test', logHandler: (level, ...args) => lines.push(`${level} ${args.join(' ')}`) });
    const handler = managementHandler(createAuthenticator(app.privateKey), () => Promise.reject(new Error('table broke')));
    const authorization = `Basic ${Buffer.from(`${app.privateKey}:`).toString('base64')}`;
    const response = await handler(new HttpRequest({ method: 'GET', url: `${app.url}/v1/accounts/origins`, headers: { authorization } }), context);
    const requestId = (response.headers as Record<string, string>)['x-ik-requestid'];
    expect([response.status, JSON.parse(String(response.body))]).toEqual([500, { message: `Internal error, request id ${requestId}` }]);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^error management ${requestId} failed: Error: table broke\\n\\s+at `))]);
  });
});
