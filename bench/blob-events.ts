/**
 * `npm run bench:events -- [--events N] [--batch N]`: a bulk upload's burst of Blob Storage events through the local
 * host's Event Grid webhook, against Azurite. Prints how long the app took to purge N events for N distinct blobs
 * (each a full purge: purge log, dependency lookup, rendition listing, purge record), and how many purges the same
 * number of events naming only 100 blobs cost, with the default BLOB_EVENT_CONCURRENCY unless it is set.
 */
import { randomUUID } from 'node:crypto';
import { AZURITE_ACCOUNT, AZURITE_KEY, startEphemeralAzurite } from '../dev/azurite';
import { readOnlyContainerSas } from '../dev/seed';

function parseArgs(argv: string[]): { events: number; batch: number } {
  const options = { events: 10_000, batch: 1_000 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--events') options.events = Number(argv[++i]);
    else if (argv[i] === '--batch') options.batch = Number(argv[++i]);
    else throw new Error(`Unknown argument ${argv[i]}; use --events N, --batch N`);
  }
  if (!(options.events > 0 && options.batch > 0)) throw new Error('--events and --batch must be positive');
  return options;
}

interface Summary {
  received: number;
  purged: number;
  ignored: number;
  failed: number;
  purgeRequests: number;
}

async function main(): Promise<void> {
  const { events, batch } = parseArgs(process.argv.slice(2));
  const azurite = await startEphemeralAzurite();
  const privateKey = `private_bench_${randomUUID()}`;
  Object.assign(process.env, { STORAGE_CONNECTION_STRING: azurite.connectionString, PRIVATE_API_KEY: privateKey });
  const { startLocalHost } = await import('../dev/server');
  const { app } = await import('../shared/app');
  const host = await startLocalHost(0);
  const auth = { authorization: `Basic ${Buffer.from(`${privateKey}:`).toString('base64')}`, 'content-type': 'application/json' };
  try {
    const origin = (await (
      await fetch(`${host.url}/v1/accounts/origins`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ type: 'AZURE_BLOB', name: 'Bulk', accountName: AZURITE_ACCOUNT, container: 'bulk', sasToken: readOnlyContainerSas(AZURITE_ACCOUNT, AZURITE_KEY, 'bulk'), endpoint: azurite.blobEndpoint }),
      })
    ).json()) as { id: string };
    await fetch(`${host.url}/v1/accounts/url-endpoints/default`, { method: 'PUT', headers: auth, body: JSON.stringify({ description: 'Default', origins: [origin.id] }) });

    const blobUrl = (n: number) => `https://${AZURITE_ACCOUNT}.blob.core.windows.net/bulk/upload/${n}.jpg`;
    const event = (n: number) => ({
      topic: `/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/${AZURITE_ACCOUNT}`,
      subject: `/blobServices/default/containers/bulk/blobs/upload/${n}.jpg`,
      eventType: 'Microsoft.Storage.BlobCreated',
      eventTime: new Date().toISOString(),
      id: randomUUID(),
      data: { api: 'PutBlob', url: blobUrl(n), blobType: 'BlockBlob', contentType: 'image/jpeg', contentLength: 1000 },
      dataVersion: '',
      metadataVersion: '1',
    });
    /**
     * One batch after another: the purges of a batch already run BLOB_EVENT_CONCURRENCY at a time, and a batch held
     * longer than a client waits for its answer (Node's fetch: 5 minutes) would count as failed.
     */
    const burst = async (blobOf: (i: number) => number) => {
      const started = performance.now();
      const summaries: Summary[] = [];
      for (let from = 0; from < events; from += batch) {
        const body = JSON.stringify(Array.from({ length: Math.min(batch, events - from) }, (_, i) => event(blobOf(from + i))));
        const response = await fetch(`${host.url}/runtime/webhooks/eventgrid?functionName=blobEvents`, { method: 'POST', headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' }, body });
        summaries.push((await response.json()) as Summary);
      }
      const seconds = (performance.now() - started) / 1000;
      const total = summaries.reduce((a, s) => ({ purged: a.purged + s.purged, failed: a.failed + s.failed, purgeRequests: a.purgeRequests + s.purgeRequests }), { purged: 0, failed: 0, purgeRequests: 0 });
      return { seconds, ...total };
    };

    console.log(`BLOB_EVENT_CONCURRENCY=${app().settings.BLOB_EVENT_CONCURRENCY}, ${events} events in batches of ${batch}, Azurite on loopback`);
    const distinct = await burst((i) => i);
    console.log(`distinct blobs:  ${distinct.seconds.toFixed(1)} s, ${(events / distinct.seconds).toFixed(0)} events/s, ${distinct.purgeRequests} purges, ${distinct.failed} failed`);
    const repeated = await burst((i) => i % 100);
    console.log(`100 blobs:       ${repeated.seconds.toFixed(1)} s, ${(events / repeated.seconds).toFixed(0)} events/s, ${repeated.purgeRequests} purges, ${repeated.failed} failed`);
  } finally {
    await host.close();
    await azurite.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
