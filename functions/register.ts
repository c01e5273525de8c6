import { app, type EventGridFunctionOptions, type FunctionResult, type HttpFunctionOptions, type InvocationContext, type StorageQueueFunctionOptions } from '@azure/functions';
import { startUp, whenSettingsValid } from '../shared/startup';

// Response bodies go from the worker to the client as they are produced (streamed cache hits, large renditions)
// rather than through the host's RPC channel in one message. The local host (dev/server.ts) does the same.
app.setup({ enableHttpStream: true });

/** Every HTTP function of the app, by name, so the local host routes to exactly the handlers the Functions host runs. */
export const httpFunctions = new Map<string, HttpFunctionOptions>();

/** Every queue-triggered function, by name, so the local host polls the same queues into the same handlers. */
export const queueFunctions = new Map<string, StorageQueueFunctionOptions>();

/** Every Event Grid-triggered function, by name, so the local host's webhook hands events to the same handlers. */
export const eventGridFunctions = new Map<string, EventGridFunctionOptions>();

/**
 * A trigger handler that first checks the settings: on an instance with bad ones it throws, so the host tries the
 * message or event again later, on an instance with good settings.
 */
function requiringValidSettings<T>(handler: (trigger: T, context: InvocationContext) => FunctionResult) {
  return (trigger: T, context: InvocationContext): FunctionResult => {
    if (startUp((line) => context.error(line)).length > 0) throw new Error('Invalid settings: see the start-up log');
    return handler(trigger, context);
  };
}

export function registerHttp(name: string, options: HttpFunctionOptions): void {
  const gated = { ...options, handler: whenSettingsValid(options.route ?? name, options.handler) };
  httpFunctions.set(name, gated);
  app.http(name, gated);
}

export function registerQueue(name: string, options: StorageQueueFunctionOptions): void {
  const gated: StorageQueueFunctionOptions = { ...options, handler: requiringValidSettings(options.handler) };
  queueFunctions.set(name, gated);
  app.storageQueue(name, gated);
}

export function registerEventGrid(name: string, options: EventGridFunctionOptions): void {
  const gated: EventGridFunctionOptions = { ...options, handler: requiringValidSettings(options.handler) };
  eventGridFunctions.set(name, gated);
  app.eventGrid(name, gated);
}
