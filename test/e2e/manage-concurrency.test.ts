import { TableClient } from '@azure/data-tables';
import ImageKit from '@imagekit/nodejs';
import { startTestApp, type TestApp } from '../helpers/app';
import { manage, type ApiResponse } from '../helpers/manage';

const ID = /^[0-9a-f]{24}$/;

describe('management API concurrency: ETag and If-Match, unique prefixes and names, origins in use', () => {
  let app: TestApp;
  let alice: ImageKit;
  let bob: ImageKit;
  let table: TableClient;

  beforeAll(async () => {
    app = await startTestApp();
    alice = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    bob = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    table = TableClient.fromConnectionString(app.azurite.connectionString, 'imagecdnconfig', { allowInsecureConnection: true });
  });
  afterAll(() => app.close());

  const proxy = (name: string) => manage(app, 'POST', '/v1/accounts/origins', { type: 'WEB_PROXY', name });
  const statuses = (responses: ApiResponse[]) => responses.map((r) => r.status).sort();

  describe('ETag and If-Match', () => {
    it('every read and write of an object carries its ETag; it changes with each write', async () => {
      const created = await alice.accounts.urlEndpoints.create({ description: 'v1', urlPrefix: 'etags' }).withResponse();
      const etag = created.response.headers.get('etag')!;
      expect(etag).toMatch(/^"[^"]+"$/);
      const read = await bob.accounts.urlEndpoints.get(created.data.id).withResponse();
      expect(read.response.headers.get('etag')).toBe(etag);
      const updated = await bob.accounts.urlEndpoints.update(created.data.id, { description: 'v2', urlPrefix: 'etags' }).withResponse();
      expect(updated.response.headers.get('etag')).toMatch(/^"[^"]+"$/);
      expect(updated.response.headers.get('etag')).not.toBe(etag);

      const origin = await proxy('Tagged');
      expect(origin.headers.get('etag')).toMatch(/^"[^"]+"$/);
      const named = await alice.namedTransformations.create({ name: 'tagged', transformation: 'w-10' }).withResponse();
      expect(named.response.headers.get('etag')).toMatch(/^"[^"]+"$/);
      const patched = await alice.namedTransformations.update(named.data.id, { transformation: 'w-20' }).withResponse();
      expect(patched.response.headers.get('etag')).not.toBe(named.response.headers.get('etag'));
    });

    it('two clients read, both write with If-Match: the second answers 412 and the first update is kept', async () => {
      const endpoint = await alice.accounts.urlEndpoints.create({ description: 'shared', urlPrefix: 'rmw' });
      const seenByAlice = (await alice.accounts.urlEndpoints.get(endpoint.id).withResponse()).response.headers.get('etag')!;
      const seenByBob = (await bob.accounts.urlEndpoints.get(endpoint.id).withResponse()).response.headers.get('etag')!;
      expect(seenByBob).toBe(seenByAlice);

      await alice.accounts.urlEndpoints.update(endpoint.id, { description: 'by alice', urlPrefix: 'rmw' }, { headers: { 'If-Match': seenByAlice } });
      const lost = bob.accounts.urlEndpoints.update(endpoint.id, { description: 'by bob', urlPrefix: 'rmw' }, { headers: { 'If-Match': seenByBob } });
      await expect(lost).rejects.toMatchObject({ status: 412, error: { message: expect.stringContaining('changed') } });
      await expect(bob.accounts.urlEndpoints.delete(endpoint.id, { headers: { 'If-Match': seenByBob } })).rejects.toMatchObject({ status: 412 });
      const now = await bob.accounts.urlEndpoints.get(endpoint.id).withResponse();
      expect(now.data.description).toBe('by alice');

      // A list of tags matches when one is current; `*` matches whatever version exists.
      const current = now.response.headers.get('etag')!;
      const listed = await manage(app, 'PUT', `/v1/accounts/url-endpoints/${endpoint.id}`, { description: 'by bob', urlPrefix: 'rmw' }, { 'if-match': `${seenByBob}, ${current}` });
      expect([listed.status, listed.json.description]).toEqual([200, 'by bob']);
      expect((await manage(app, 'DELETE', `/v1/accounts/url-endpoints/${endpoint.id}`, undefined, { 'if-match': '*' })).status).toBe(204);
    });

    it('origins (PUT) and named transformations (PATCH) honour If-Match too; without it, writes go through as before', async () => {
      const origin = await proxy('Origin v1');
      const stale = origin.headers.get('etag')!;
      expect((await manage(app, 'PUT', `/v1/accounts/origins/${origin.json.id}`, { type: 'WEB_PROXY', name: 'Origin v2' })).status).toBe(200);
      const refused = await manage(app, 'PUT', `/v1/accounts/origins/${origin.json.id}`, { type: 'WEB_PROXY', name: 'Origin v3' }, { 'if-match': stale });
      expect([refused.status, refused.json.message]).toEqual([412, expect.stringContaining('If-Match')]);
      expect((await manage(app, 'DELETE', `/v1/accounts/origins/${origin.json.id}`, undefined, { 'if-match': stale })).status).toBe(412);
      expect((await manage(app, 'GET', `/v1/accounts/origins/${origin.json.id}`)).json.name).toBe('Origin v2');

      const named = await manage(app, 'POST', '/v1/named-transformations', { name: 'patched', transformation: 'w-10' });
      expect((await manage(app, 'PATCH', `/v1/named-transformations/${named.json.id}`, { transformation: 'w-30' })).status).toBe(200);
      const patch = await manage(app, 'PATCH', `/v1/named-transformations/${named.json.id}`, { transformation: 'w-40' }, { 'if-match': named.headers.get('etag')! });
      expect(patch.status).toBe(412);
      expect((await manage(app, 'GET', `/v1/named-transformations/${named.json.id}`)).json.transformation).toBe('w-30');
    });

    it('two writers with the same If-Match at the same moment: exactly one wins, the other answers 412', async () => {
      for (let round = 0; round < 5; round++) {
        const endpoint = await manage(app, 'POST', '/v1/accounts/url-endpoints', { description: 'race', urlPrefix: `same-etag-${round}` });
        const etag = endpoint.headers.get('etag')!;
        const results = await Promise.all(
          ['a', 'b', 'c'].map((who) => manage(app, 'PUT', `/v1/accounts/url-endpoints/${endpoint.json.id}`, { description: who, urlPrefix: `same-etag-${round}` }, { 'if-match': etag })),
        );
        expect(statuses(results)).toEqual([200, 412, 412]);
        const winner = results.find((r) => r.status === 200)!;
        expect((await manage(app, 'GET', `/v1/accounts/url-endpoints/${endpoint.json.id}`)).json.description).toBe(winner.json.description);
      }
    });
  });

  describe('unique URL prefixes (regardless of case) and named transformation names', () => {
    it('concurrent POSTs with one prefix: exactly one 201, 409 naming urlPrefix for the rest', async () => {
      const results = await Promise.all(['Shop', 'shop', 'SHOP', 'shop', 'sHop'].map((urlPrefix) => manage(app, 'POST', '/v1/accounts/url-endpoints', { description: 'x', urlPrefix })));
      expect(statuses(results)).toEqual([201, 409, 409, 409, 409]);
      for (const refused of results.filter((r) => r.status === 409)) expect(refused.json.message).toMatch(/^urlPrefix: /);
      const winner = results.find((r) => r.status === 201)!;
      // The winner is not stuck: it can be updated, as the 409-forever bug had it.
      expect((await manage(app, 'PUT', `/v1/accounts/url-endpoints/${winner.json.id}`, { description: 'updated', urlPrefix: 'shop' })).status).toBe(200);
    });

    it('concurrent POSTs with one name: exactly one 201', async () => {
      const results = await Promise.all(Array.from({ length: 5 }, (_, i) => manage(app, 'POST', '/v1/named-transformations', { name: 'once', transformation: `w-${i + 1}` })));
      expect(statuses(results)).toEqual([201, 409, 409, 409, 409]);
      for (const refused of results.filter((r) => r.status === 409)) expect(refused.json.message).toMatch(/^name: /);
    });

    it('two endpoints renamed to one prefix at once: one wins; old prefixes are released, the loser keeps its own', async () => {
      const one = await manage(app, 'POST', '/v1/accounts/url-endpoints', { description: '1', urlPrefix: 'ren-one' });
      const two = await manage(app, 'POST', '/v1/accounts/url-endpoints', { description: '2', urlPrefix: 'ren-two' });
      const results = await Promise.all([one, two].map((e) => manage(app, 'PUT', `/v1/accounts/url-endpoints/${e.json.id}`, { description: 'moved', urlPrefix: 'ren-same' })));
      expect(statuses(results)).toEqual([200, 409]);
      const [winnerOld, loserOld] = results[0].status === 200 ? ['ren-one', 'ren-two'] : ['ren-two', 'ren-one'];
      expect((await manage(app, 'POST', '/v1/accounts/url-endpoints', { description: 'x', urlPrefix: winnerOld })).status).toBe(201);
      expect((await manage(app, 'POST', '/v1/accounts/url-endpoints', { description: 'x', urlPrefix: loserOld })).status).toBe(409);
      const winnerId = results[0].status === 200 ? one.json.id : two.json.id;
      expect((await manage(app, 'DELETE', `/v1/accounts/url-endpoints/${winnerId}`)).status).toBe(204);
      expect((await manage(app, 'POST', '/v1/accounts/url-endpoints', { description: 'x', urlPrefix: 'REN-SAME' })).status).toBe(201);
    });

    it('listings never show the key rows', async () => {
      const endpoints = (await manage(app, 'GET', '/v1/accounts/url-endpoints')).json as unknown as { id: string }[];
      const named = (await manage(app, 'GET', '/v1/named-transformations')).json as unknown as { id: string }[];
      expect(endpoints.length).toBeGreaterThan(3);
      for (const { id } of [...endpoints, ...named]) expect(id).toMatch(id === 'default' ? /^default$/ : ID);
      let keyRows = 0;
      for await (const row of table.listEntities()) if (row.rowKey!.startsWith('~')) keyRows++;
      expect(keyRows).toBeGreaterThan(3);
    });

    it('objects stored by earlier versions (no key row) still clash, also under concurrent POSTs, and get a key row on update', async () => {
      const legacyId = 'abcdefabcdefabcdefabcdef';
      await table.createEntity({ partitionKey: 'urlEndpoint', rowKey: legacyId, data: JSON.stringify({ description: 'old', origins: [], urlPrefix: 'Legacy' }) });
      await table.createEntity({ partitionKey: 'namedTransformation', rowKey: legacyId, data: JSON.stringify({ name: 'legacy', transformation: 'w-10', enabled: true, createdAt: new Date().toISOString() }) });

      const posts = await Promise.all(['legacy', 'LEGACY', 'Legacy'].map((urlPrefix) => manage(app, 'POST', '/v1/accounts/url-endpoints', { description: 'x', urlPrefix })));
      expect(statuses(posts)).toEqual([409, 409, 409]);
      expect(posts[0].json.message).toContain(legacyId);
      expect((await manage(app, 'POST', '/v1/named-transformations', { name: 'legacy', transformation: 'w-20' })).status).toBe(409);

      expect((await manage(app, 'PUT', `/v1/accounts/url-endpoints/${legacyId}`, { description: 'updated', urlPrefix: 'Legacy' })).status).toBe(200);
      await expect(table.getEntity('urlEndpoint', '~legacy')).resolves.toMatchObject({ owner: legacyId });
      expect((await manage(app, 'PUT', `/v1/accounts/url-endpoints/${legacyId}`, { description: 'moved', urlPrefix: 'legacy-moved' })).status).toBe(200);
      expect((await manage(app, 'POST', '/v1/accounts/url-endpoints', { description: 'x', urlPrefix: 'legacy' })).status).toBe(201);
    });

    it('a key row whose owner is gone (a delete cut off half-way) does not block its value', async () => {
      await table.createEntity({ partitionKey: 'namedTransformation', rowKey: '~orphan', owner: 'ffffffffffffffffffffffff' });
      expect((await manage(app, 'POST', '/v1/named-transformations', { name: 'orphan', transformation: 'w-10' })).status).toBe(201);
      expect((await manage(app, 'POST', '/v1/named-transformations', { name: 'orphan', transformation: 'w-10' })).status).toBe(409);
    });
  });

  describe('an origin listed by an endpoint cannot be deleted', () => {
    it('409 naming the endpoints, the default endpoint included; deletable once no endpoint lists it', async () => {
      const origin = (await proxy('In use')).json.id!;
      const endpoint = await manage(app, 'POST', '/v1/accounts/url-endpoints', { description: 'x', urlPrefix: 'in-use', origins: [origin] });
      expect((await manage(app, 'PUT', '/v1/accounts/url-endpoints/default', { description: 'd', origins: [origin] })).status).toBe(200);
      const refused = await manage(app, 'DELETE', `/v1/accounts/origins/${origin}`);
      expect([refused.status, refused.json.message]).toEqual([409, expect.stringMatching(new RegExp(`default.*${endpoint.json.id}`))]);
      expect((await manage(app, 'PUT', '/v1/accounts/url-endpoints/default', { description: 'd', origins: [] })).status).toBe(200);
      expect((await manage(app, 'DELETE', `/v1/accounts/origins/${origin}`)).json.message).not.toContain('default');
      expect((await manage(app, 'DELETE', `/v1/accounts/url-endpoints/${endpoint.json.id}`)).status).toBe(204);
      expect((await manage(app, 'DELETE', `/v1/accounts/origins/${origin}`)).status).toBe(204);
    });

    it('a delete racing an endpoint update that adds the origin never leaves the endpoint listing a deleted origin', async () => {
      for (let round = 0; round < 20; round++) {
        const origin = (await proxy(`Race ${round}`)).json.id!;
        const [removed, added, created] = await Promise.all([
          manage(app, 'DELETE', `/v1/accounts/origins/${origin}`),
          manage(app, 'PUT', '/v1/accounts/url-endpoints/default', { description: 'd', origins: [origin] }),
          manage(app, 'POST', '/v1/accounts/url-endpoints', { description: 'x', urlPrefix: `race-${round}`, origins: [origin] }),
        ]);
        const exists = (await manage(app, 'GET', `/v1/accounts/origins/${origin}`)).status === 200;
        const listedBy = ((await manage(app, 'GET', '/v1/accounts/url-endpoints')).json as unknown as { origins: string[] }[]).filter((e) => e.origins.includes(origin));
        expect({ round, removed: removed.status, exists, dangling: !exists && listedBy.length > 0 }).toEqual({ round, removed: exists ? 409 : 204, exists, dangling: false });
        if (!exists) expect([added.status, created.status].every((s) => s === 400 || s === 409)).toBe(true);
        await manage(app, 'PUT', '/v1/accounts/url-endpoints/default', { description: 'd', origins: [] });
      }
    });
  });
});
