import type { HttpHandler, HttpResponseInit } from '@azure/functions';
import { settingsProblems } from './settings';

let problems: string[] | undefined;

/**
 * Checks the settings once per process and logs one line naming each bad setting. The Functions host calls this
 * from its appStart hook and the local host before it listens; the request gate below calls it too, so the
 * check also happens where hooks do not run.
 */
export function startUp(log: (line: string) => void = console.error): string[] {
  if (problems === undefined) {
    problems = settingsProblems(process.env);
    if (problems.length > 0) log(`Invalid settings, every request answers 503 until they are fixed and the app restarts: ${problems.join('; ')}`);
  }
  return problems;
}

const noStore = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'retry-after': '30' };

/**
 * 503 instead of running `handler` while the settings are bad. `/healthz` says which settings (names and reasons
 * only, never values); other routes answer in their own error shape without the details.
 */
export function whenSettingsValid(route: string, handler: HttpHandler): HttpHandler {
  return async (request, context) => {
    const found = startUp((line) => context.error(line));
    if (found.length === 0) return handler(request, context);
    let response: HttpResponseInit;
    if (route === 'healthz') {
      response = { headers: { 'content-type': 'text/plain; charset=utf-8', ...noStore }, body: `Unavailable: invalid settings: ${found.join('; ')}` };
    } else if (route.startsWith('v1/')) {
      response = { headers: { 'content-type': 'application/json; charset=utf-8', ...noStore }, body: JSON.stringify({ message: 'The service is not configured correctly; its operator is told in the log and at /healthz' }) };
    } else {
      const message = 'The service is not configured correctly; try again later';
      response = { headers: { 'content-type': 'text/plain; charset=utf-8', 'ik-error': `EUNAVAILABLE - ${message}`, ...noStore }, body: 'Service Unavailable' };
    }
    return { ...response, status: 503, body: request.method === 'HEAD' ? undefined : response.body };
  };
}
