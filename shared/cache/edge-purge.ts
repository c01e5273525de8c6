import { z } from 'zod';
import type { QueueClient } from '@azure/storage-queue';
import type { Collection } from '../config/collection';
import { createOnce } from '../storage';
import { EDGE_HINT_SEGMENT, type FrontDoorPurge } from './front-door';

/** A purge request as `GET /v1/files/purge/{requestId}` reports it. */
export interface PurgeRecord {
  url: string;
  status: 'Pending' | 'Completed';
  createdAt: string;
  /** Why the edge purge failed (its latest try while Pending); the renditions were removed all the same. */
  error?: string;
  /** Set on purges a blob event made: which event, for which blob. */
  event?: { id: string; type: string; blobUrl: string };
}

const edgePurgeMessage = z.object({ requestId: z.string().min(1), paths: z.array(z.string().startsWith('/')).min(1) });
export type EdgePurgeMessage = z.infer<typeof edgePurgeMessage>;

/** The host hands the trigger a message that is JSON already parsed. */
function readMessage(entry: unknown, log: (message: string) => void): EdgePurgeMessage | undefined {
  const message = edgePurgeMessage.safeParse(entry);
  // Retrying a message that can never be read would only fill the poison queue.
  if (!message.success) log(`edge purge: dropped a queue message that is not an edge purge: ${message.error.issues[0]?.message}`);
  return message.success ? message.data : undefined;
}

/** Purge requests, the purge queue (PURGE_QUEUE) and Front Door, when it is configured. */
export interface EdgePurgeOptions {
  records: Collection<PurgeRecord>;
  queue: QueueClient;
  /** Absent when Front Door is not configured: purges then complete with the renditions removed. */
  frontDoor?: FrontDoorPurge;
}

/** Edge purges: queued by the purge API, performed by the queue-triggered function. */
export interface EdgePurge {
  records: Collection<PurgeRecord>;
  /** Whether purges reach the edge too. */
  configured: boolean;
  /**
   * Puts the edge purge on the purge queue; the queue-triggered function performs it, so an instance reclaimed after
   * the response does not leave it undone. Base64, as the Functions host's queue trigger reads messages by default.
   */
  enqueue(message: EdgePurgeMessage): Promise<void>;
  /**
   * The purge queue's trigger: purges Front Door (minutes), then marks the request Completed. A failure is recorded
   * on the still Pending request and thrown, so the host tries the message again later and, after its last try,
   * moves it to the poison queue.
   */
  perform(entry: unknown, log: (message: string) => void): Promise<void>;
  /**
   * The poison queue's trigger: every try failed. ImageKit's statuses are only Pending and Completed, so the request
   * is Completed with the last error.
   */
  recordFailed(entry: unknown, log: (message: string) => void): Promise<void>;
}

export function createEdgePurge({ records, queue, frontDoor }: EdgePurgeOptions): EdgePurge {
  const createQueue = createOnce(() => queue.createIfNotExists());
  const update = async (requestId: string, change: (record: PurgeRecord) => PurgeRecord): Promise<void> => {
    const row = await records.get(requestId);
    if (row) await records.replace(requestId, change(row.value), row.etag);
  };
  return {
    records,
    configured: frontDoor !== undefined,
    async enqueue(message) {
      await createQueue();
      await queue.sendMessage(Buffer.from(JSON.stringify(message)).toString('base64'));
    },
    async perform(entry, log) {
      const message = readMessage(entry, log);
      if (!message) return;
      try {
        if (!frontDoor) throw new Error('Front Door is not configured (FRONT_DOOR_* settings)');
        // Auto-format requests are cached at the edge under the rewritten hint paths too.
        await frontDoor(message.paths.flatMap((path) => [path, `/${EDGE_HINT_SEGMENT}/avif${path}`, `/${EDGE_HINT_SEGMENT}/webp${path}`]));
      } catch (e) {
        const error = `Front Door purge failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
        log(`edge purge ${message.requestId}: ${error}`);
        await update(message.requestId, (record) => ({ ...record, error }));
        // eslint-disable-next-line preserve-caught-error -- the host logs what it is thrown: only the first line of the SDK's message goes there
        throw new Error(error);
      }
      await update(message.requestId, ({ error: _, ...record }) => ({ ...record, status: 'Completed' }));
    },
    async recordFailed(entry, log) {
      const message = readMessage(entry, log);
      if (!message) return;
      log(`edge purge ${message.requestId}: gave up after the last try`);
      await update(message.requestId, (record) => ({ ...record, status: 'Completed', error: record.error ?? 'Front Door purge failed' }));
    },
  };
}
