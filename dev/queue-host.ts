import { InvocationContext, type StorageQueueFunctionOptions } from '@azure/functions';
import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '../shared/app';
import type { Settings } from '../shared/settings';
import { createOnce } from '../shared/storage';

/** The queue settings of host.json that the Functions host applies to queue triggers. */
export interface QueueBehaviour {
  maxDequeueCount: number;
  visibilityTimeoutMs: number;
  maxPollingIntervalMs: number;
}

/** A .NET TimeSpan as host.json writes it, `hh:mm:ss[.fff]`. */
function timeSpanMs(value: string): number {
  const m = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value);
  if (!m) throw new Error(`host.json: "${value}" is not a time span (hh:mm:ss)`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000;
}

/** host.json of the app: beside package.json, above the folder this file runs from. */
function hostJsonPath(from = __dirname): string {
  const candidate = path.join(from, 'host.json');
  if (fs.existsSync(candidate)) return candidate;
  if (path.dirname(from) === from) throw new Error('host.json not found above the local host');
  return hostJsonPath(path.dirname(from));
}

/**
 * host.json's `extensions.queues`, overridden as the Functions host overrides it from app settings
 * (`AzureFunctionsJobHost__extensions__queues__<name>`), with the host's defaults for what neither sets.
 */
export function queueBehaviour(env: NodeJS.ProcessEnv = process.env): QueueBehaviour {
  const fromFile = (JSON.parse(fs.readFileSync(hostJsonPath(), 'utf8')) as { extensions?: { queues?: Record<string, string | number> } }).extensions?.queues ?? {};
  const value = (name: string, fallback: string | number) => env[`AzureFunctionsJobHost__extensions__queues__${name}`] ?? fromFile[name] ?? fallback;
  return {
    maxDequeueCount: Number(value('maxDequeueCount', 5)),
    visibilityTimeoutMs: timeSpanMs(String(value('visibilityTimeout', '00:00:00'))),
    maxPollingIntervalMs: timeSpanMs(String(value('maxPollingInterval', '00:01:00'))),
  };
}

/** `%SETTING%` in a queue name, resolved as the host resolves binding expressions, with the app's defaults. */
function queueName(template: string, settings: Settings): string {
  const values = settings as Record<string, unknown>;
  return template.replace(/%([^%]+)%/g, (_, name: string) => String(process.env[name] || values[name] || ''));
}

export interface QueueHost {
  /** Stops polling; messages being handled are made visible again at once, as a restarted host would find them. */
  close(): Promise<void>;
}

/** How long a received message stays invisible while its handler runs (the Functions host holds it 10 minutes and renews). */
const LEASE_SECONDS = 600;

/**
 * Polls each queue-triggered function's queue in the app's own storage and hands each message to the same handler the
 * Functions host would call: base64 JSON decoded, a failure retried after `visibilityTimeout`, and after
 * `maxDequeueCount` tries moved to `<queue>-poison`, whose own trigger then runs.
 */
export function startQueueFunctions(functions: Map<string, StorageQueueFunctionOptions>, app: App, behaviour = queueBehaviour()): QueueHost {
  const stop = new AbortController();
  const inFlight = new Map<string, { queue: QueueClient; popReceipt: string }>();

  async function handle(name: string, options: StorageQueueFunctionOptions, queue: QueueClient, poison: QueueClient, message: DequeuedMessageItem): Promise<void> {
    inFlight.set(message.messageId, { queue, popReceipt: message.popReceipt });
    const text = Buffer.from(message.messageText, 'base64').toString('utf8');
    let entry: unknown = text;
    try {
      entry = JSON.parse(text);
    } catch {
      // Not JSON: the handler gets the text, as from the host.
    }
    const context = new InvocationContext({ functionName: name, invocationId: randomUUID(), triggerMetadata: { id: message.messageId, dequeueCount: message.dequeueCount } });
    try {
      await options.handler(entry, context);
      if (stop.signal.aborted) return;
      await queue.deleteMessage(message.messageId, message.popReceipt);
    } catch (error) {
      if (stop.signal.aborted) return;
      context.warn(`${name}: try ${message.dequeueCount} failed: ${error instanceof Error ? error.message : String(error)}`);
      if (message.dequeueCount >= behaviour.maxDequeueCount) {
        await poison.createIfNotExists();
        await poison.sendMessage(message.messageText);
        await queue.deleteMessage(message.messageId, message.popReceipt);
      } else {
        await queue.updateMessage(message.messageId, message.popReceipt, undefined, Math.ceil(behaviour.visibilityTimeoutMs / 1000));
      }
    } finally {
      inFlight.delete(message.messageId);
    }
  }

  async function poll(name: string, options: StorageQueueFunctionOptions): Promise<void> {
    const queue = app.storage.queue(queueName(options.queueName, app.settings));
    const poison = app.storage.queue(`${queue.name}-poison`);
    // Azure has the queues from the deployment; Azurite starts empty.
    const created = createOnce(() => queue.createIfNotExists());
    let idleMs = 100;
    while (!stop.signal.aborted) {
      try {
        await created();
        const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 16, visibilityTimeout: LEASE_SECONDS });
        if (receivedMessageItems.length > 0) {
          idleMs = 100;
          await Promise.all(receivedMessageItems.map((message) => handle(name, options, queue, poison, message)));
          continue;
        }
      } catch (error) {
        if (!stop.signal.aborted) console.warn(`local host: queue ${queue.name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
      // An empty or unreachable queue is polled less and less often, up to maxPollingInterval, as the host does.
      await sleep(Math.min(idleMs, behaviour.maxPollingIntervalMs), undefined, { signal: stop.signal }).catch(() => undefined);
      idleMs *= 2;
    }
  }

  for (const [name, options] of functions) void poll(name, options);
  return {
    // A handler still running (a purge takes minutes) is not waited for: its message is someone else's now.
    close: async () => {
      stop.abort();
      await Promise.all([...inFlight.entries()].map(([id, { queue, popReceipt }]) => queue.updateMessage(id, popReceipt, undefined, 0).catch(() => undefined)));
    },
  };
}
