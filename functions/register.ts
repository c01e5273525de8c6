import { app, type HttpFunctionOptions } from '@azure/functions';
import { whenSettingsValid } from '../shared/startup';

/** Every HTTP function of the app, by name, so the local host routes to exactly the handlers the Functions host runs. */
export const httpFunctions = new Map<string, HttpFunctionOptions>();

export function registerHttp(name: string, options: HttpFunctionOptions): void {
  const gated = { ...options, handler: whenSettingsValid(options.route ?? name, options.handler) };
  httpFunctions.set(name, gated);
  app.http(name, gated);
}
