import type { HttpFunctionOptions } from '@azure/functions';
import { createRouter } from '../../dev/router';

const handler = async () => ({ status: 200 });
const routes = new Map<string, HttpFunctionOptions>([
  ['delivery', { route: '{*path}', methods: ['GET', 'HEAD'], handler }],
  ['origins', { route: 'v1/accounts/origins/{id?}', methods: ['GET', 'POST', 'PUT', 'DELETE'], handler }],
  ['healthz', { route: 'healthz', methods: ['GET', 'HEAD'], handler }],
]);

describe('local host router', () => {
  const route = createRouter(routes);

  it('prefers literal routes to the catch-all and reads optional ids', () => {
    expect(route('GET', '/v1/accounts/origins')).toMatchObject({ name: 'origins', params: {} });
    expect(route('PUT', '/v1/accounts/origins/abc')).toMatchObject({ name: 'origins', params: { id: 'abc' } });
    expect(route('HEAD', '/healthz')).toMatchObject({ name: 'healthz' });
  });

  it('sends everything else to the catch-all with the rest of the path', () => {
    expect(route('GET', '/img/tr:w-10/a/b.jpg')).toMatchObject({ name: 'delivery', params: { path: 'img/tr:w-10/a/b.jpg' } });
    expect(route('GET', '/v1/accounts/origins/a/b')).toMatchObject({ name: 'delivery' });
  });

  it('decodes route parameters, and keeps a malformed escape as sent instead of throwing', () => {
    expect(route('GET', '/v1/accounts/origins/a%2Fb')).toMatchObject({ name: 'origins', params: { id: 'a/b' } });
    expect(route('GET', '/v1/accounts/origins/%E0%A4%A')).toMatchObject({ name: 'origins', params: { id: '%E0%A4%A' } });
  });

  it('answers method-not-allowed when only the method is wrong', () => {
    expect(route('POST', '/healthz')).toBe('method-not-allowed');
  });
});
