import ImageKit from '@imagekit/nodejs';
import http from 'node:http';
import { serveDemoFromDefaultEndpoint, startTestApp, type TestApp } from '../helpers/app';

/** Deterministic randomness (mulberry32), so a failing run can be replayed from its printed seed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { int, pick };
}

/** Pieces that have broken URL parsers, transformation grammars and signature checks elsewhere. */
const PIECES = [
  '%', '%0', '%00', '%2F', '%2f', '%2e%2e', '..', '.', '//', '\\', '%5C', '%FF', '%C0%AF', '%E0%A4%B9', '%F0%9F%98%80', '%EF%BF%BD',
  ':', ',', '-', '_', '~', '@@', '?', '&', '=', '#', ';', '+', '*', "'", '"', '<svg>', '(', ')', '[', ']', '{', '}', '|', '^', '`', '$',
  'tr:', 'tr=', 'tr:w-', 'w-', 'h-', 'q-', 'f-', 'c-', 'ar-', 'dpr-', 'n-', 'l-text', 'l-image', 'l-end', 'i-', 'ie-', 'orig-true', 'di-',
  'ik-s=', 'ik-t=', 'ik-s=0000000000000000000000000000000000000000', 'ik-t=9999999999', 'ik-t=1',
  '0', '-1', '1.5', '0.0000001', '65535', '65536', '99999999999999999999', '1e309', 'NaN', 'Infinity', 'iw_div_2', 'auto',
  'v1', 'healthz', 'admin', 'products', 'sample', 'plant.jpg', 'logo.png', 'x'.repeat(300),
];

describe('fuzz: random and mutated delivery URLs against the running app', () => {
  let app: TestApp;
  let seeds: string[];

  beforeAll(async () => {
    app = await startTestApp();
    const client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    await serveDemoFromDefaultEndpoint(app, client);
    const origin = (await client.accounts.origins.list())[0].id;
    await client.accounts.urlEndpoints.create({ description: 'Products', urlPrefix: 'products', origins: [origin] });
    const signed = (src: string, transformation: object[], transformationPosition: 'path' | 'query', expiresIn?: number) =>
      client.helper.buildSrc({ urlEndpoint: app.url, src, transformation, transformationPosition, signed: true, expiresIn }).slice(app.url.length);
    seeds = [
      '/sample/plant.jpg',
      '/tr:w-300,h-200/sample/plant.jpg',
      '/tr:w-0.5,c-at_max:w-100,f-webp/sample/landscape.jpg',
      '/sample/plant.jpg?tr=w-120,h-80,c-force,q-50',
      '/products/tr:w-64,f-png/sample/logo.png',
      '/products/sample/logo.png?tr=h-300%2Cw-400',
      '/tr:orig-true/sample/plant.jpg',
      signed('/sample/plant.jpg', [{ width: 100 }], 'query'),
      signed('/sample/landscape.jpg', [{ height: 90 }], 'path', 600),
    ];
  });
  afterAll(() => app.close());

  /** One raw request: the target is sent byte for byte, not normalised as fetch() would. */
  function request(target: string, method: string): Promise<number> {
    const { hostname, port } = new URL(app.url);
    return new Promise((resolve, reject) => {
      const req = http.request({ hostname, port, path: target, method, timeout: 30_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('timeout', () => req.destroy(new Error(`timeout on ${target}`)));
      req.on('error', reject);
      req.end();
    });
  }

  it('3000 requests: no 5xx other than a deliberate 503, and the app answers normally afterwards', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    console.log(`fuzz seed ${seed} (set FUZZ_SEED to replay)`);
    const { int, pick } = random(seed);

    const mutate = (url: string): string => {
      let out = url;
      for (let n = 1 + int(4); n > 0; n--) {
        const at = int(out.length + 1);
        switch (int(5)) {
          case 0: // insert a piece
            out = out.slice(0, at) + pick(PIECES) + out.slice(at);
            break;
          case 1: // delete a run
            out = out.slice(0, at) + out.slice(at + 1 + int(6));
            break;
          case 2: // replace every number with an extreme one
            out = out.replace(/\d+(\.\d+)?/g, () => pick(['0', '-1', '65536', '99999999999999999999', '0.0000001', '1e309', '5000']));
            break;
          case 3: // flip one character
            out = out.slice(0, at) + String.fromCharCode(33 + int(94)) + out.slice(at + 1);
            break;
          default: // add a query parameter
            out += `${out.includes('?') ? '&' : '?'}${pick(['tr', 'ik-s', 'ik-t', 'x', ''])}=${pick(PIECES)}`;
        }
      }
      return out.startsWith('/') ? out : `/${out}`;
    };
    const randomUrl = () => `/${Array.from({ length: 1 + int(6) }, () => Array.from({ length: 1 + int(3) }, () => pick(PIECES)).join('')).join('/')}`;

    const total = 3000;
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let unsendable = 0;
    let next = 0;
    const started = Date.now();
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const target = i % 3 === 0 ? randomUrl() : mutate(pick(seeds));
        let status: number;
        try {
          status = await request(target, i % 10 === 0 ? 'HEAD' : 'GET');
        } catch (error) {
          // Node refuses to send some byte sequences at all (for example an over-long or invalid path).
          if (error instanceof TypeError) {
            unsendable++;
            continue;
          }
          throw error;
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        // 503 is the deliberate answer when memory or slots are taken (huge sizes from the fuzzer), never another 5xx.
        if (status >= 500 && status !== 503) failures.push(`${status} ${target}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    console.log(`fuzz: ${total} requests in ${Date.now() - started} ms, statuses ${JSON.stringify(Object.fromEntries(statuses))}, unsendable ${unsendable}`);

    expect(failures).toEqual([]);
    expect(unsendable).toBeLessThan(total / 10);
    expect(await request('/tr:w-100/sample/plant.jpg', 'GET')).toBe(200);
    expect(await request('/healthz', 'GET')).toBe(200);
  }, 300_000);
});
