import { startTestApp, type TestApp } from '../helpers/app';
import { manage } from '../helpers/manage';

describe('management API ids that cannot exist answer 404 at once, without a storage call', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
    // With storage gone, any request that reaches it would answer 503 after its deadline, not 404.
    await app.azurite.stop();
  });
  afterAll(() => app.close());

  const paths = [
    '/v1/accounts/origins/a%2Fb',
    '/v1/accounts/origins/a%5Cb',
    '/v1/accounts/origins/a%23b',
    '/v1/accounts/origins/a%3Fb',
    '/v1/accounts/origins/%E0%A4%A',
    '/v1/accounts/origins/default',
    '/v1/accounts/origins/ABCDEFABCDEFABCDEFABCDEF',
    `/v1/accounts/origins/${'a'.repeat(300)}`,
    '/v1/accounts/url-endpoints/0123456789abcdef0123456',
    '/v1/named-transformations/default',
    '/v1/named-transformations/a.b',
  ];

  /** Origins and URL endpoints take PUT, named transformations PATCH: the other one is no route at all. */
  const routeTakes = (method: string, path: string) => method !== (path.startsWith('/v1/named-transformations') ? 'PUT' : 'PATCH');

  it.each(paths)('GET, PUT, PATCH and DELETE %s', async (path) => {
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      const response = await manage(app, method, path, method === 'GET' || method === 'DELETE' ? undefined : { name: 'x' });
      expect(response.status).toBe(404);
      // A method the route does not take reaches no function: the host's own empty 404.
      if (routeTakes(method, path)) expect(response.json.message).toMatch(/^No .* with this id/);
      else expect(response.json).toEqual({ text: '' });
    }
  });

  it('an id with a control character is refused as a path before routing (400)', async () => {
    const response = await manage(app, 'GET', '/v1/accounts/url-endpoints/a%00b');
    expect(response.status).toBe(400);
  });

  it('purge status with an id that cannot exist', async () => {
    const response = await manage(app, 'GET', '/v1/files/purge/a%2Fb');
    expect([response.status, response.json.message]).toEqual([404, 'No purge request with this id']);
  });
});
