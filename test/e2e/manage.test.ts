import ImageKit from '@imagekit/nodejs';
import { startTestApp, uploadDemo, type TestApp } from '../helpers/app';

describe('management API through the official @imagekit/nodejs client', () => {
  let app: TestApp;
  let client: ImageKit;
  let sas: string;
  const responses: string[] = [];

  const azureBlob = (overrides: Record<string, unknown> = {}) => ({
    type: 'AZURE_BLOB' as const,
    name: 'Photos',
    accountName: 'devstoreaccount1',
    container: 'photos',
    sasToken: sas,
    endpoint: app.azurite.blobEndpoint,
    ...overrides,
  });

  /** Every management response body, raw, so the test can check no secret ever leaves the server. */
  async function raw(method: string, path: string, body?: unknown, key = app.privateKey) {
    const response = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    responses.push(text);
    return { status: response.status, text, json: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  beforeAll(async () => {
    app = await startTestApp();
    sas = await uploadDemo(app, 'photos');
    client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
  });
  afterAll(() => app.close());

  it('creates, lists, reads, updates and deletes an AZURE_BLOB origin; the SAS is never returned', async () => {
    const created = await client.accounts.origins.create(azureBlob({ prefix: 'sample' }));
    expect(created).toMatchObject({ type: 'AZURE_BLOB', name: 'Photos', container: 'photos', prefix: 'sample', includeCanonicalHeader: false });
    expect(created.id).toMatch(/^[0-9a-f]{24}$/);
    expect(JSON.stringify(created)).not.toContain('sig=');

    expect((await client.accounts.origins.list()).map((o) => o.id)).toContain(created.id);
    expect(await client.accounts.origins.get(created.id)).toEqual(created);

    // An update may leave out the token to keep the stored one.
    const { sasToken: _omit, ...withoutToken } = azureBlob({ name: 'Renamed' });
    const updated = await client.accounts.origins.update(created.id, withoutToken as never);
    expect(updated).toMatchObject({ id: created.id, name: 'Renamed', prefix: '' });

    await client.accounts.origins.delete(created.id);
    await expect(client.accounts.origins.get(created.id)).rejects.toMatchObject({ status: 404 });
  });

  it('validation errors are 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [azureBlob({ sasToken: 'sv=2020&sig=abc' }), 'sasToken'],
      [azureBlob({ sasToken: '?sv=2020' }), 'sasToken'],
      [azureBlob({ accountName: 'Bad_Name' }), 'accountName'],
      [azureBlob({ container: 'A' }), 'container'],
      [azureBlob({ name: '' }), 'name'],
      [azureBlob({ endpoint: 'ftp://x' }), 'endpoint'],
      [{ name: 'x' }, 'type'],
      [{ type: 'S3', name: 'x', bucket: 'b', accessKey: 'a', secretKey: 's' }, 'type: S3'],
    ];
    for (const [body, field] of cases) {
      const response = await raw('POST', '/v1/accounts/origins', body);
      expect(response.status).toBe(400);
      expect(response.json.message).toContain(field);
    }
    expect((await raw('POST', '/v1/accounts/origins', '{not json')).status).toBe(400);
    await expect(client.accounts.origins.create(azureBlob({ container: '' }))).rejects.toMatchObject({ status: 400 });
  });

  it('unknown ids are 404', async () => {
    await expect(client.accounts.origins.get('000000000000000000000000')).rejects.toMatchObject({ status: 404 });
    await expect(client.accounts.urlEndpoints.get('nope')).rejects.toMatchObject({ status: 404 });
    await expect(client.accounts.urlEndpoints.delete('nope')).rejects.toMatchObject({ status: 404 });
  });

  it('URL endpoints: create with ordered origins, refuse unknown origins, reserved and taken prefixes', async () => {
    const a = await client.accounts.origins.create(azureBlob({ name: 'A' }));
    const b = await client.accounts.origins.create(azureBlob({ name: 'B' }));
    const endpoint = await client.accounts.urlEndpoints.create({ description: 'Product images', urlPrefix: 'products', origins: [b.id, a.id] });
    expect(endpoint).toMatchObject({ description: 'Product images', urlPrefix: 'products', origins: [b.id, a.id] });
    expect(await client.accounts.urlEndpoints.get(endpoint.id)).toEqual(endpoint);

    const unknown = await raw('POST', '/v1/accounts/url-endpoints', { description: 'x', urlPrefix: 'x', origins: [a.id, 'ffffffffffffffffffffffff'] });
    expect(unknown.status).toBe(400);
    expect(unknown.json.message).toContain('origins.1');
    for (const urlPrefix of ['v1', 'healthz', 'admin', 'has space']) {
      const response = await raw('POST', '/v1/accounts/url-endpoints', { description: 'x', urlPrefix });
      expect(response.status).toBe(400);
      expect(response.json.message).toContain('urlPrefix');
    }
    await expect(client.accounts.urlEndpoints.create({ description: 'dup', urlPrefix: 'products' })).rejects.toMatchObject({ status: 409 });
    const rewriter = await raw('POST', '/v1/accounts/url-endpoints', { description: 'x', urlPrefix: 'rw', urlRewriter: { type: 'IMGIX' } });
    expect(rewriter.status).toBe(400);
    expect(rewriter.json.message).toContain('urlRewriter');

    const updated = await client.accounts.urlEndpoints.update(endpoint.id, { description: 'Renamed', urlPrefix: 'products', origins: [a.id] });
    expect(updated.origins).toEqual([a.id]);
  });

  it('an origin still used by an endpoint cannot be deleted (409); after removing it, it can', async () => {
    const origin = await client.accounts.origins.create(azureBlob({ name: 'Used' }));
    const endpoint = await client.accounts.urlEndpoints.create({ description: 'uses it', urlPrefix: 'uses', origins: [origin.id] });
    await expect(client.accounts.origins.delete(origin.id)).rejects.toMatchObject({ status: 409 });
    await client.accounts.urlEndpoints.delete(endpoint.id);
    await client.accounts.origins.delete(origin.id);
  });

  it('the default endpoint is listed first, keeps its empty prefix and cannot be deleted', async () => {
    const list = await client.accounts.urlEndpoints.list();
    expect(list[0]).toMatchObject({ id: 'default', urlPrefix: '' });
    await expect(client.accounts.urlEndpoints.delete('default')).rejects.toMatchObject({ status: 400 });
    await expect(client.accounts.urlEndpoints.update('default', { description: 'd', urlPrefix: 'other' })).rejects.toMatchObject({ status: 400 });
  });

  it('refuses missing or wrong credentials with 401 and WWW-Authenticate', async () => {
    const wrong = await raw('GET', '/v1/accounts/origins', undefined, 'private_wrong');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    const none = await fetch(`${app.url}/v1/accounts/origins`);
    expect(none.status).toBe(401);
    await expect(new ImageKit({ privateKey: 'private_wrong', baseURL: app.url, maxRetries: 0 }).accounts.origins.list()).rejects.toMatchObject({ status: 401 });
  });

  it('no response carried the SAS signature or the private key', async () => {
    await raw('GET', '/v1/accounts/origins');
    const sig = new URLSearchParams(sas.slice(1)).get('sig')!;
    for (const body of responses) {
      expect(body).not.toContain(sig);
      expect(body).not.toContain(encodeURIComponent(sig));
      expect(body).not.toContain(app.privateKey);
    }
  });
});
