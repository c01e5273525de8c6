import http from 'node:http';
import { startTestApp, type TestApp } from '../helpers/app';

const MB = 1024 * 1024;

interface Upload {
  status: number;
  body: string;
  /** Body bytes handed to the socket when the response arrived. */
  writtenAtResponse: number;
  /** Resolves when the server has closed the connection. */
  closed: Promise<void>;
}

describe('management API request bodies: auth, length and size are decided before the body is read', () => {
  let app: TestApp;
  let auth: string;
  // One buffer written again and again, so the client side allocates nothing per chunk.
  const chunk = Buffer.alloc(64 * 1024, 0x20);

  beforeAll(async () => {
    app = await startTestApp();
    auth = `Basic ${Buffer.from(`${app.privateKey}:`).toString('base64')}`;
  });
  afterAll(() => app.close());

  /** POSTs up to `total` bytes of body (chunked unless `contentLength` is given), stopping when the response arrives. */
  function upload(headers: Record<string, string>, total: number, contentLength?: number): Promise<Upload> {
    return new Promise((resolve, reject) => {
      const request = http.request(`${app.url}/v1/accounts/origins`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', ...(contentLength === undefined ? {} : { 'content-length': String(contentLength) }), ...headers },
      });
      let written = 0;
      let answered = false;
      const closed = new Promise<void>((done) => request.once('close', () => done()));
      // Writes fail once the server has closed the connection; the response has been received by then.
      request.on('error', (error) => (answered ? undefined : reject(error)));
      request.on('response', (response) => {
        answered = true;
        const writtenAtResponse = written;
        let body = '';
        response.on('data', (d: Buffer) => (body += d.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, body, writtenAtResponse, closed }));
        response.on('error', reject);
      });
      const pump = () => {
        while (!answered && written < total) {
          written += chunk.length;
          if (!request.write(chunk)) return void request.once('drain', pump);
        }
        if (!answered && contentLength === undefined) request.end();
      };
      request.flushHeaders();
      pump();
    });
  }

  async function rssGrowth(run: () => Promise<void>): Promise<number> {
    global.gc?.();
    const before = process.memoryUsage().rss;
    await run();
    return process.memoryUsage().rss - before;
  }

  it('Content-Length of 200 MB: 413 from the header alone, before a body byte is sent', async () => {
    const result = await upload({ authorization: auth }, 0, 200 * MB);
    expect([result.status, JSON.parse(result.body).message]).toEqual([413, expect.stringContaining('65536')]);
    expect(result.writtenAtResponse).toBe(0);
    await result.closed;
  });

  it('without credentials, a 200 MB Content-Length answers 401 without reading the body', async () => {
    const result = await upload({}, 0, 200 * MB);
    expect(result.status).toBe(401);
    await result.closed;
  });

  it('a chunked 200 MB body: 411 before any of it is read, no memory growth, connection closed', async () => {
    let result: Upload | undefined;
    const growth = await rssGrowth(async () => {
      result = await upload({ authorization: auth }, 200 * MB);
    });
    expect([result!.status, JSON.parse(result!.body).message]).toEqual([411, expect.stringContaining('Content-Length')]);
    expect(result!.writtenAtResponse).toBeLessThan(20 * MB);
    expect(growth).toBeLessThan(64 * MB);
    await result!.closed;
  });

  it('a chunked 200 MB body without credentials: 401 long before the end, no memory growth', async () => {
    let result: Upload | undefined;
    const growth = await rssGrowth(async () => {
      result = await upload({}, 200 * MB);
    });
    expect(result!.status).toBe(401);
    expect(result!.writtenAtResponse).toBeLessThan(20 * MB);
    expect(growth).toBeLessThan(64 * MB);
    await result!.closed;
  });

  it('a small chunked body is 411 too, as under the Functions host, which would pass it on empty', async () => {
    const body = JSON.stringify({ type: 'WEB_PROXY', name: 'Chunked' });
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(`${app.url}/v1/accounts/origins`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' } }, (response) => {
        let text = '';
        response.on('data', (d: Buffer) => (text += d.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, body: text }));
      });
      request.on('error', reject);
      request.write(body.slice(0, 10));
      setTimeout(() => request.end(body.slice(10)), 50);
    });
    expect([result.status, JSON.parse(result.body).message]).toEqual([411, expect.stringMatching(/^Length Required: send the body with a Content-Length header/)]);
  });
});
