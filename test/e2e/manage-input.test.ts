import { AZURITE_ACCOUNT } from '../../dev/azurite';
import { startTestApp, uploadDemo, type TestApp } from '../helpers/app';
import { manage } from '../helpers/manage';

describe('management API input rules: every field has a length and character rule, answered with 400 naming it', () => {
  let app: TestApp;
  let sas: string;
  let originId: string;
  const blob = (fields: Record<string, unknown> = {}) => ({ type: 'AZURE_BLOB', name: 'Photos', accountName: AZURITE_ACCOUNT, container: 'photos', sasToken: sas, endpoint: app.azurite.blobEndpoint, ...fields });

  beforeAll(async () => {
    app = await startTestApp();
    sas = await uploadDemo(app, 'photos');
    const created = await manage(app, 'POST', '/v1/accounts/origins', blob());
    expect(created.status).toBe(201);
    originId = created.json.id!;
  });
  afterAll(() => app.close());

  const long = (n: number) => 'a'.repeat(n);
  const cases: [string, string, () => unknown, string][] = [
    ['origin', '/v1/accounts/origins', () => blob({ name: long(201) }), 'name'],
    ['origin', '/v1/accounts/origins', () => blob({ name: 'line\nbreak' }), 'name'],
    ['origin', '/v1/accounts/origins', () => blob({ name: 'nul\u0000' }), 'name'],
    ['origin', '/v1/accounts/origins', () => blob({ name: 42 }), 'name'],
    ['origin', '/v1/accounts/origins', () => blob({ sasToken: `${sas}&x=${long(2100)}` }), 'sasToken'],
    ['origin', '/v1/accounts/origins', () => blob({ prefix: long(1025) }), 'prefix'],
    ['origin', '/v1/accounts/origins', () => blob({ prefix: 'a\u0085b' }), 'prefix'],
    ['origin', '/v1/accounts/origins', () => blob({ endpoint: 'javascript:alert(1)' }), 'endpoint'],
    ['origin', '/v1/accounts/origins', () => blob({ endpoint: `http://x.example/${long(2100)}` }), 'endpoint'],
    ['origin', '/v1/accounts/origins', () => blob({ baseUrlForCanonicalHeader: 'http://a\n.example' }), 'baseUrlForCanonicalHeader'],
    ['origin', '/v1/accounts/origins', () => blob({ accountName: long(25) }), 'accountName'],
    ['origin', '/v1/accounts/origins', () => blob({ container: 'a/b' }), 'container'],
    ['origin', '/v1/accounts/origins', () => ({ type: 'WEB_FOLDER', name: 'Web', baseUrl: 'file:///etc/passwd' }), 'baseUrl'],
    ['origin', '/v1/accounts/origins', () => ({ type: 'WEB_FOLDER', name: 'Web', baseUrl: 'https://a.example', forwardHostHeaderToOrigin: 'yes' }), 'forwardHostHeaderToOrigin'],
    ['origin', '/v1/accounts/origins', () => ({ type: long(100), name: 'x' }), 'type'],
    ['URL endpoint', '/v1/accounts/url-endpoints', () => ({ description: long(1001), urlPrefix: 'p1' }), 'description'],
    ['URL endpoint', '/v1/accounts/url-endpoints', () => ({ description: 'tab\there', urlPrefix: 'p2' }), 'description'],
    ['URL endpoint', '/v1/accounts/url-endpoints', () => ({ description: 'd', urlPrefix: 'a/b' }), 'urlPrefix'],
    ['URL endpoint', '/v1/accounts/url-endpoints', () => ({ description: 'd', urlPrefix: 'a#b' }), 'urlPrefix'],
    ['URL endpoint', '/v1/accounts/url-endpoints', () => ({ description: 'd', urlPrefix: long(101) }), 'urlPrefix'],
    ['URL endpoint', '/v1/accounts/url-endpoints', () => ({ description: 'd', urlPrefix: 'p3', origins: ['a/b'] }), 'origins.0'],
    ['URL endpoint', '/v1/accounts/url-endpoints', () => ({ description: 'd', urlPrefix: 'p4', origins: [originId, long(10_000)] }), 'origins.1'],
    ['URL endpoint', '/v1/accounts/url-endpoints', () => ({ description: 'd', urlPrefix: 'p5', origins: Array.from({ length: 11 }, () => originId) }), 'origins'],
    ['named transformation', '/v1/named-transformations', () => ({ name: 'a/b', transformation: 'w-10' }), 'name'],
    ['named transformation', '/v1/named-transformations', () => ({ name: long(101), transformation: 'w-10' }), 'name'],
    ['named transformation', '/v1/named-transformations', () => ({ name: 'big', transformation: `w-10${':h-10'.repeat(1000)}` }), 'transformation'],
    ['named transformation', '/v1/named-transformations', () => ({ name: 'ctl', transformation: 'w-10\u0007' }), 'transformation'],
    ['named transformation', '/v1/named-transformations', () => ({ name: 'flag', transformation: 'w-10', enabled: 'no' }), 'enabled'],
    ['purge', '/v1/files/purge', () => ({ url: 'javascript:alert(1)//sample/plant.jpg' }), 'url'],
    ['purge', '/v1/files/purge', () => ({ url: `${app.url}/${long(2100)}.jpg` }), 'url'],
    ['purge', '/v1/files/purge', () => ({ url: `${app.url}/a\u0000b.jpg` }), 'url'],
    ['purge', '/v1/files/purge', () => ({ url: ['x'] }), 'url'],
    ['purge', '/v1/files/purge', () => ({}), 'url'],
  ];

  it.each(cases)('%s %s: %p answers 400 naming %s', async (_noun, path, body, field) => {
    const response = await manage(app, 'POST', path, body());
    expect([response.status, response.json.message?.startsWith(`${field}: `) ? field : response.json.message]).toEqual([400, field]);
  });

  it('updates follow the same rules (PUT and PATCH)', async () => {
    const put = await manage(app, 'PUT', `/v1/accounts/origins/${originId}`, blob({ name: long(300) }));
    expect([put.status, put.json.message]).toEqual([400, expect.stringMatching(/^name: /)]);
    const endpoint = await manage(app, 'PUT', '/v1/accounts/url-endpoints/default', { description: long(2000) });
    expect([endpoint.status, endpoint.json.message]).toEqual([400, expect.stringMatching(/^description: /)]);
    const named = await manage(app, 'POST', '/v1/named-transformations', { name: 'small', transformation: 'w-10' });
    const patch = await manage(app, 'PATCH', `/v1/named-transformations/${named.json.id}`, { name: 'x y' });
    expect([patch.status, patch.json.message]).toEqual([400, expect.stringMatching(/^name: /)]);
  });

  it('malformed JSON, a non-object body, an empty body and invalid UTF-8 answer 400', async () => {
    for (const body of ['{"name": ', '[1, 2]', '"text"', 'null', '', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) as unknown as string]) {
      const response = await manage(app, 'POST', '/v1/accounts/origins', body);
      expect([response.status, typeof response.json.message]).toEqual([400, 'string']);
    }
  });

  it('a 100 kB field makes a body over the 64 KiB cap: 413, and nothing is stored', async () => {
    const before = (await manage(app, 'GET', '/v1/accounts/origins')).json as unknown as unknown[];
    const response = await manage(app, 'POST', '/v1/accounts/origins', blob({ name: long(100_000) }));
    expect([response.status, response.json.message]).toEqual([413, expect.stringContaining('65536')]);
    expect(((await manage(app, 'GET', '/v1/accounts/origins')).json as unknown as unknown[]).length).toBe(before.length);
  });

  it('the largest body every field allows is stored and read back', async () => {
    // Quotes and backslashes double when stored as JSON: the worst case for Table Storage's 64 KiB per property.
    const name = '"'.repeat(200);
    const prefix = '\\'.repeat(1024);
    const full = blob({ name, sasToken: `${sas}&pad=${long(2047 - sas.length - 5)}`, prefix, endpoint: `http://e.example/${long(2048 - 17)}`, baseUrlForCanonicalHeader: `https://c.example/${long(2048 - 18)}` });
    const created = await manage(app, 'POST', '/v1/accounts/origins', full);
    expect(created.status).toBe(201);
    expect((await manage(app, 'GET', `/v1/accounts/origins/${created.json.id}`)).json).toMatchObject({ name, prefix });
  });
});
