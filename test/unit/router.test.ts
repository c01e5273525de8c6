import type { HttpFunctionOptions } from '@azure/functions';
import { loadFunctions } from '../../dev/server';
import { createRouter, kestrelPath } from '../../dev/router';

const handler = async () => ({ status: 200 });
const routes = new Map<string, HttpFunctionOptions>([
  ['zDelivery', { route: '{*path}', methods: ['GET', 'HEAD', 'OPTIONS'], handler }],
  ['origins', { route: 'v1/accounts/origins/{id?}', methods: ['GET', 'POST', 'PUT', 'DELETE'], handler }],
  ['healthz', { route: 'healthz', methods: ['GET', 'HEAD'], handler }],
]);

describe('local host router', () => {
  const route = createRouter(routes);

  it('prefers literal routes to the catch-all and reads optional ids', () => {
    expect(route('GET', '/v1/accounts/origins')).toMatchObject({ name: 'origins', params: {} });
    expect(route('GET', '/V1/Accounts/Origins/')).toMatchObject({ name: 'origins', params: {} });
    expect(route('PUT', '/v1/accounts/origins/abc')).toMatchObject({ name: 'origins', params: { id: 'abc' } });
    expect(route('HEAD', '/healthz')).toMatchObject({ name: 'healthz' });
  });

  it('sends everything else to the catch-all with the rest of the path as it is', () => {
    expect(route('GET', '/img/tr:w-10/a/b.jpg')).toMatchObject({ name: 'zDelivery', params: { path: 'img/tr:w-10/a/b.jpg' } });
    expect(route('GET', '/v1/accounts/origins/a/b')).toMatchObject({ name: 'zDelivery' });
    expect(route('GET', '/a//b.jpg/')).toMatchObject({ name: 'zDelivery', params: { path: 'a//b.jpg/' } });
  });

  it('keeps empty segments: they match no literal or parameter, and none before the catch-all', () => {
    expect(route('GET', '/v1//accounts/origins')).toMatchObject({ name: 'zDelivery', params: { path: 'v1//accounts/origins' } });
    expect(route('GET', '/v1/accounts/origins//')).toMatchObject({ name: 'zDelivery' });
    expect(route('GET', '//a/b.jpg')).toBeUndefined();
  });

  it('treats methods as part of the route: a method no route takes falls through, and nothing matching is 404', () => {
    expect(route('OPTIONS', '/v1/accounts/origins')).toMatchObject({ name: 'zDelivery' });
    expect(route('HEAD', '/v1/accounts/origins')).toMatchObject({ name: 'zDelivery' });
    expect(route('PATCH', '/v1/accounts/origins/abc')).toBeUndefined();
    expect(route('POST', '/healthz')).toBeUndefined();
  });

  it('hands parameters over as Kestrel decoded them: %2F stays escaped, other escapes of UTF-8 are decoded', () => {
    expect(route('GET', kestrelPath('/v1/accounts/origins/a%2Fb')!)).toMatchObject({ name: 'origins', params: { id: 'a%2Fb' } });
    expect(route('GET', kestrelPath('/v1/accounts/origins/a%2fb%41')!)).toMatchObject({ name: 'origins', params: { id: 'a%2fbA' } });
    expect(route('GET', kestrelPath('/v1/accounts/origins/%E0%A4%A')!)).toMatchObject({ name: 'origins', params: { id: '%E0%A4%A' } });
    expect(route('GET', kestrelPath('/v1/accounts/%6Frigins/x')!)).toMatchObject({ name: 'origins', params: { id: 'x' } });
  });

  it('refuses a name order in which a route would take requests from a more specific one', () => {
    const shadowing = new Map(routes).set('delivery', { route: '{*path}', methods: ['GET'], handler });
    expect(() => createRouter(shadowing)).toThrow(/"delivery" .* would take requests meant for "healthz"/);
    // Routes that share no path or no method may sort in any order.
    const apart = new Map<string, HttpFunctionOptions>([
      ['a', { route: 'files/{id}', methods: ['POST'], handler }],
      ['b', { route: 'files/list', methods: ['GET'], handler }],
      ['c', { route: 'other/{id}', methods: ['GET'], handler }],
      ['d', { route: 'other/list/x', methods: ['GET'], handler }],
    ]);
    expect(() => createRouter(apart)).not.toThrow();
  });

  it("accepts the app's own registrations", () => {
    expect(() => createRouter(loadFunctions().httpFunctions)).not.toThrow();
  });
});

describe('Kestrel path decoding', () => {
  it.each([
    ['/a%20b', '/a b'],
    ['/caf%C3%A9', '/café'],
    ['/caf%c3%a9', '/café'],
    ['/a%2Fb%2fc', '/a%2Fb%2fc'],
    ['/a%252Fb', '/a%2Fb'],
    ['/a%ZZ%4', '/a%ZZ%4'],
    ['/a%FF%41', '/a%FFA'],
    ['/a%C0%AF', '/a%C0%AF'],
    ['/a%ED%A0%80', '/a%ED%A0%80'],
    ['/a%E0%C3%A9', '/a%E0é'],
    ['/a%F0%9F%98%80', '/a😀'],
  ])('%s is %s', (raw, decoded) => {
    expect(kestrelPath(raw)).toBe(decoded);
  });

  it('refuses a decoded NUL and raw bytes that are not UTF-8', () => {
    expect(kestrelPath('/a%00b')).toBeUndefined();
    expect(kestrelPath('/a\xffb')).toBeUndefined();
  });
});
