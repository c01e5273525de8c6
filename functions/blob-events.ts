import { app } from '../shared/app';
import { registerEventGrid } from './register';

// Blob Storage events of the origin accounts, from the Event Grid subscription infra/ creates (Event Grid schema) or
// any subscription in CloudEvents 1.0: the host hands over one event per invocation. The outcome is returned for
// the local host's webhook, which reports it; the Functions host ignores it.
registerEventGrid('blobEvents', {
  handler: async (event, context) => {
    const outcome = await app().blobEvents(event, (message) => context.warn(message));
    if ('purged' in outcome) context.log(`blob event ${String(event.id)}: purged ${outcome.purged.length} delivery path(s), requests ${outcome.purged.join(', ')}`);
    else context.debug(`blob event ${String(event.id)}: ignored (${outcome.ignored})`);
    return outcome;
  },
});
