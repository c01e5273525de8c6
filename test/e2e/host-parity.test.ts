import ImageKit from '@imagekit/nodejs';
import http from 'node:http';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * Requests the Functions host answers in its own way (routing by function name and method, Kestrel's decoding,
 * bodies only with Content-Length), sent byte for byte to the local host, which must answer as the Functions host
 * does. How signatures survive the host's re-encoded URL is in signed-urls-host-forms.test.ts.
 */
describe('the local host answers as the Functions host', () => {
  let app: TestApp;
  let auth: string;
  let originId: string;

  beforeAll(async () => {
    app = await startTestApp();
    auth = `Basic ${Buffer.from(`${app.privateKey}:`).toString('base64')}`;
    originId = await serveDemoFromDefaultEndpoint(app, new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 }));
  });
  afterAll(() => app.close());

  /** One raw request; `chunks` are sent with Transfer-Encoding: chunked, `body` with its Content-Length. */
  function send(method: string, target: string, options: { headers?: Record<string, string>; body?: string; chunks?: string[] } = {}): Promise<Answer> {
    const { hostname, port } = new URL(app.url);
    const headers = { authorization: auth, ...(options.body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(options.body)) }), ...options.headers };
    return new Promise((resolve, reject) => {
      const request = http.request({ hostname, port, path: target, method, headers, agent: false }, (response) => {
        let text = '';
        response.on('data', (d: Buffer) => (text += d.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, text }));
      });
      request.on('error', reject);
      if (options.chunks) {
        request.setHeader('content-type', 'application/json');
        for (const chunk of options.chunks) request.write(chunk);
      }
      request.end(options.body);
    });
  }

  const message = (answer: Answer) => (JSON.parse(answer.text) as { message: string }).message;

  describe('routing: function-name order, methods as a condition', () => {
    it('a management path reaches its function, in any letter case and with escaped unreserved characters', async () => {
      for (const target of ['/v1/accounts/origins', '/V1/Accounts/Origins/', '/v1/accounts/%6Frigins']) {
        const answer = await send('GET', target);
        expect([target, answer.status, answer.headers['content-type']]).toEqual([target, 200, expect.stringContaining('application/json')]);
      }
      expect((await send('GET', '/HEALTHZ')).status).toBe(200);
    });

    it('a method no route takes is the host own empty 404, not 405', async () => {
      for (const [method, target] of [
        ['PATCH', '/v1/accounts/origins'],
        ['PUT', '/v1/named-transformations/0123456789abcdef01234567'],
        ['POST', '/healthz'],
        ['DELETE', '/sample/plant.jpg'],
      ]) {
        const answer = await send(method, target);
        expect([method, target, answer.status, answer.text]).toEqual([method, target, 404, '']);
      }
    });

    it('a method only delivery takes falls through to delivery', async () => {
      const head = await send('HEAD', '/v1/accounts/origins');
      expect(head.headers['content-type']).not.toContain('application/json');
      expect(head.headers['ik-error']).toBeDefined();
      // Delivery's CORS preflight keeps browsers away from the management API.
      expect((await send('OPTIONS', '/v1/accounts/origins')).status).toBe(405);
    });

    it('an empty segment matches no management route and reaches delivery; one before every segment matches nothing', async () => {
      const answer = await send('GET', '/v1//accounts/origins');
      expect(answer.headers['content-type']).not.toContain('application/json');
      expect(answer.headers['ik-error']).toBeDefined();
      expect(await send('GET', '//sample/plant.jpg')).toMatchObject({ status: 404, text: '' });
    });
  });

  describe('management ids with escapes: a clean 404 or 400, never a 500', () => {
    it.each(['abc%2Fdef', 'abc%2fdef', 'a%5Cb', 'a%23b', 'a%3Fb', '%E0%A4%A', '%FF', 'a%20b', '%C3%A9'])('origin id %s', async (id) => {
      for (const method of ['GET', 'DELETE']) {
        const answer = await send(method, `/v1/accounts/origins/${id}`);
        expect([method, answer.status, message(answer)]).toEqual([method, 404, 'No origin with this id (ids are 24 hex digits)']);
      }
      const put = await send('PUT', `/v1/accounts/origins/${id}`, { body: '{}' });
      expect(put.status).toBe(404);
    });

    it('purge status with an escaped slash, and a NUL anywhere in the path (400)', async () => {
      const answer = await send('GET', '/v1/files/purge/abc%2Fdef');
      expect([answer.status, message(answer)]).toEqual([404, 'No purge request with this id']);
      expect((await send('GET', '/v1/files/purge/a%00b')).status).toBe(400);
    });
  });

  describe('request bodies: passed on only with a Content-Length', () => {
    const origin = JSON.stringify({ type: 'WEB_PROXY', name: 'Parity' });

    it('a chunked create, update or purge is 411 naming the cause; the same body with its length is served', async () => {
      const chunks = [origin.slice(0, 8), origin.slice(8)];
      for (const [method, target] of [
        ['POST', '/v1/accounts/origins'],
        ['PUT', `/v1/accounts/origins/${originId}`],
        ['POST', '/v1/files/purge'],
      ]) {
        const answer = await send(method, target, { chunks });
        expect([method, target, answer.status, message(answer)]).toEqual([method, target, 411, expect.stringContaining('Content-Length')]);
      }
      expect((await send('POST', '/v1/accounts/origins', { body: origin })).status).toBe(201);
    });

    it('an empty body with Content-Length 0 is the ordinary 400', async () => {
      const answer = await send('POST', '/v1/accounts/origins', { headers: { 'content-length': '0' } });
      expect([answer.status, message(answer)]).toEqual([400, 'The request body must be a JSON object']);
    });

    it('credentials are still checked first', async () => {
      const answer = await send('POST', '/v1/accounts/origins', { headers: { authorization: '' }, chunks: [origin] });
      expect(answer.status).toBe(401);
    });
  });
});
