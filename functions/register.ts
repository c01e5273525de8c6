import { app, type HttpFunctionOptions } from '@azure/functions';

/** Every HTTP function of the app, by name, so the local host routes to exactly the handlers the Functions host runs. */
export const httpFunctions = new Map<string, HttpFunctionOptions>();

export function registerHttp(name: string, options: HttpFunctionOptions): void {
  httpFunctions.set(name, options);
  app.http(name, options);
}
