import ImageKit from '@imagekit/nodejs';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../dev/azurite';
import { readOnlyContainerSas } from '../../dev/seed';
import { startTestApp, type TestApp } from '../helpers/app';
import { startAppProcess, type AppProcess } from '../helpers/app-process';
import { startHoldingOrigin, type HoldingOrigin } from '../helpers/holding-origin';
import { manage } from '../helpers/manage';

type Colour = [number, number, number];
const solid = (c: Colour) => sharp({ create: { width: 48, height: 48, channels: 3, background: { r: c[0], g: c[1], b: c[2] } } }).png().toBuffer();

/** How often each instance reads the purge log in this test: the bound on serving a purged rendition from memory. */
const SYNC_SECONDS = 1;

/**
 * Two instances on one storage account: this process's local host, and another process with memory of its own. A
 * purge through one (a blob event, or the management API) reaches the other's memory caches within
 * PURGE_SYNC_SECONDS, well before the memory cache's own expiry (60 s), which alone would keep serving the old
 * rendition.
 */
describe('a purge reaches every instance within PURGE_SYNC_SECONDS', () => {
  let first: TestApp;
  let second: AppProcess;
  let holding: HoldingOrigin;
  let webEndpointId: string;
  const webFiles: Record<string, { body: Buffer; type: string }> = {};
  const container = 'shared';

  async function get(base: string, path: string) {
    const response = await fetch(`${base}${path}`);
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, cache: response.headers.get('x-rendition-cache'), body };
  }

  async function colour(body: Buffer): Promise<Colour> {
    const { data } = await sharp(body).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return [data[0], data[1], data[2]];
  }

  const near = (a: Colour, b: Colour) => a.every((v, i) => Math.abs(v - b[i]) <= 8);

  async function upload(name: string, c: Colour) {
    await first.blobs.getContainerClient(container).getBlockBlobClient(name).uploadData(await solid(c), { blobHTTPHeaders: { blobContentType: 'image/png' } });
  }

  /** Asks the other instance until it stops answering from memory, at most `tries` times, one sync interval apart. */
  async function untilMiss(path: string, tries = 5) {
    for (let attempt = 0; attempt < tries; attempt++) {
      await sleep(SYNC_SECONDS * 1000);
      const response = await get(second.url, path);
      if (response.cache === 'MISS') return response;
    }
    throw new Error(`${path} was still served from the other instance's memory after ${tries} sync intervals`);
  }

  /** The other instance serves `path` from its memory: a HIT even after the stored blob is gone. */
  async function cachedOnSecond(path: string) {
    expect((await get(second.url, path)).cache).toBe('MISS');
    for (let attempt = 0; attempt < 50 && (await get(second.url, path)).cache !== 'HIT'; attempt++) await sleep(100);
    expect((await get(second.url, path)).cache).toBe('HIT');
  }

  beforeAll(async () => {
    first = await startTestApp({ PURGE_SYNC_SECONDS: String(SYNC_SECONDS), ALLOW_PRIVATE_ORIGIN_ADDRESSES: 'true' });
    const client = new ImageKit({ privateKey: first.privateKey, baseURL: first.url, maxRetries: 0 });
    await first.blobs.getContainerClient(container).createIfNotExists();
    await upload('one.png', [255, 0, 0]);
    await upload('two.png', [255, 0, 0]);
    const origin = await client.accounts.origins.create({
      type: 'AZURE_BLOB',
      name: 'Shared',
      accountName: AZURITE_ACCOUNT,
      container,
      sasToken: readOnlyContainerSas(AZURITE_ACCOUNT, AZURITE_KEY, container),
      endpoint: first.azurite.blobEndpoint,
    } as Parameters<typeof client.accounts.origins.create>[0]);
    // A web origin this process holds back, on its own endpoint; the helper makes it the default's origin, so the
    // default endpoint is pointed back at the blob origin afterwards.
    webFiles['photo.png'] = { body: await solid([255, 0, 0]), type: 'image/png' };
    holding = await startHoldingOrigin(client, webFiles);
    const web = (await manage(first, 'GET', '/v1/accounts/url-endpoints/default')).json.origins as string[];
    webEndpointId = (await client.accounts.urlEndpoints.create({ description: 'Web', urlPrefix: 'web', origins: web })).id;
    await client.accounts.urlEndpoints.update('default', { description: 'Default', origins: [origin.id] });
    second = await startAppProcess({
      STORAGE_CONNECTION_STRING: first.azurite.connectionString,
      PRIVATE_API_KEY: first.privateKey,
      CONFIG_CACHE_SECONDS: '0',
      PURGE_SYNC_SECONDS: String(SYNC_SECONDS),
    });
  }, 180_000);
  afterAll(async () => {
    await second?.stop();
    await holding?.server.close();
    await first?.close();
  });

  it('a blob event on one instance: the other serves MISS with the new pixels', async () => {
    const path = '/tr:w-24,f-png/one.png';
    await cachedOnSecond(path);
    await upload('one.png', [0, 0, 255]);
    const blobUrl = `${first.azurite.blobEndpoint.replace(/\/+$/, '')}/${container}/one.png`;
    const event = { id: 'e1', topic: '/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/devstoreaccount1', subject: `/blobServices/default/containers/${container}/blobs/one.png`, eventType: 'Microsoft.Storage.BlobCreated', eventTime: new Date().toISOString(), data: { api: 'PutBlob', url: blobUrl, blobType: 'BlockBlob' }, dataVersion: '', metadataVersion: '1' };
    const delivered = await fetch(`${first.url}/runtime/webhooks/eventgrid?functionName=blobEvents`, { method: 'POST', headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' }, body: JSON.stringify([event]) });
    expect(await delivered.json()).toMatchObject({ purged: 1 });
    const after = await untilMiss(path);
    expect(near(await colour(after.body), [0, 0, 255])).toBe(true);
  });

  it('a management purge on one instance: the other serves MISS with the new pixels', async () => {
    const path = '/tr:w-24,f-png/two.png';
    await cachedOnSecond(path);
    await upload('two.png', [0, 255, 0]);
    expect((await manage(first, 'POST', '/v1/files/purge', { url: `${first.url}/two.png` })).status).toBe(201);
    const after = await untilMiss(path);
    expect(near(await colour(after.body), [0, 255, 0])).toBe(true);
  });

  it('a rendition one instance was making from the old original when another purged it is not left stored', async () => {
    const path = '/web/tr:w-24,f-png/photo.png';
    const held = holding.hold('photo.png');
    const slow = fetch(`${first.url}${path}`);
    await held.requested;
    // Purged through the other instance while this one still waits for the original: that purge finds nothing
    // stored yet. This instance's rendition is then made from the bytes it was sent (the holding origin sends the
    // file as it is on release), and the original changes afterwards.
    expect((await manage({ ...first, url: second.url }, 'POST', '/v1/files/purge', { url: `${second.url}/web/photo.png` })).status).toBe(201);
    held.release();
    const old = await slow;
    expect(near(await colour(Buffer.from(await old.arrayBuffer())), [255, 0, 0])).toBe(true);
    webFiles['photo.png'] = { body: await solid([0, 255, 0]), type: 'image/png' };
    // Stored in the background (this process's write has landed once this settles), then found purged in the log
    // and deleted again: within a bounded number of looks.
    await first.parts().renditions.settle();
    const renditions = first.blobs.getContainerClient('renditions');
    let left: string[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      left = [];
      for await (const blob of renditions.listBlobsFlat({ prefix: `${webEndpointId}/photo.png/` })) left.push(blob.name);
      if (left.length === 0) break;
      await sleep(100);
    }
    expect(left).toEqual([]);
    const next = await get(first.url, path);
    expect(next.cache).toBe('MISS');
    expect(near(await colour(next.body), [0, 255, 0])).toBe(true);
  });
});
