import { app } from '../shared/app';
import { registerQueue } from './register';

// The host reaches the queue through the PURGE_QUEUE_CONNECTION connection (a connection string locally, its
// `__queueServiceUri` with the managed identity in Azure); the app writes to the same queue in its own storage.
registerQueue('edgePurge', {
  queueName: '%PURGE_QUEUE%',
  connection: 'PURGE_QUEUE_CONNECTION',
  handler: (entry, context) => app().handlers.edgePurge(entry, context),
});

// The host moves a message here after its last failed try (host.json `extensions.queues.maxDequeueCount`).
registerQueue('edgePurgePoison', {
  queueName: '%PURGE_QUEUE%-poison',
  connection: 'PURGE_QUEUE_CONNECTION',
  handler: (entry, context) => app().handlers.edgePurgePoison(entry, context),
});
