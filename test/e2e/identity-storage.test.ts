import ImageKit from '@imagekit/nodejs';
import { BlobServiceClient } from '@azure/storage-blob';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { RunningAzurite } from '../../dev/azurite';
import { serveDemoFromDefaultEndpoint } from '../helpers/app';
import { startAppProcess, type AppProcess } from '../helpers/app-process';
import { startTestAzurite } from '../helpers/azurite';
import { startIdentityEndpoint, type IdentityEndpoint } from '../helpers/identity';
import { loopbackCertificate } from '../helpers/tls';

/**
 * The app's own storage (config table, rendition container) reached with its managed identity and no account key
 * (STORAGE_ACCOUNT_NAME): tokens come from a loopback stand-in for App Service's identity endpoint, and the
 * storage is an Azurite that takes bearer tokens over HTTPS. The originals sit in a second Azurite, reached the
 * way origins always are, with the origin's SAS token.
 */
describe('app storage with the managed identity (STORAGE_ACCOUNT_NAME)', () => {
  let folder: string;
  let storage: RunningAzurite;
  let originals: RunningAzurite;
  let identity: IdentityEndpoint;
  let app: AppProcess;
  let client: ImageKit;
  const privateKey = 'private_identity_storage_test_key';

  beforeAll(async () => {
    folder = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ik-identity-'));
    const certificate = await loopbackCertificate(folder);
    identity = await startIdentityEndpoint();
    storage = await startTestAzurite(certificate);
    originals = await startTestAzurite();
    app = await startAppProcess({
      STORAGE_ACCOUNT_NAME: 'devstoreaccount1',
      STORAGE_BLOB_ENDPOINT: storage.blobEndpoint,
      STORAGE_TABLE_ENDPOINT: storage.tableEndpoint,
      STORAGE_QUEUE_ENDPOINT: storage.queueEndpoint,
      PRIVATE_API_KEY: privateKey,
      CONFIG_CACHE_SECONDS: '0',
      MEMORY_CACHE_MB: '0',
      ...identity.env,
      NODE_EXTRA_CA_CERTS: certificate.certPath,
    });
    client = new ImageKit({ privateKey, baseURL: app.url, maxRetries: 0 });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await storage?.stop();
    await originals?.stop();
    await identity?.server.close();
    if (folder) await fs.promises.rm(folder, { recursive: true, force: true });
  });

  it('starts without an account key, says why the demo is not seeded, and is healthy', async () => {
    expect(app.output()).toContain('Demo not seeded: it needs STORAGE_CONNECTION_STRING (an account key)');
    const health = await fetch(`${app.url}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'OK']);
    // The purge queues are polled with the identity too, without a complaint.
    expect(app.output()).not.toMatch(/local host: queue/);
  });

  it('keeps configuration and renditions in the storage it reaches with tokens for Azure Storage', async () => {
    const blobs = BlobServiceClient.fromConnectionString(originals.connectionString);
    await serveDemoFromDefaultEndpoint({ url: app.url, privateKey, azurite: originals, blobs, close: async () => undefined }, client);
    expect((await client.accounts.urlEndpoints.get('default')).origins).toHaveLength(1);

    const first = await fetch(`${app.url}/tr:w-120/sample/plant.jpg`);
    expect([first.status, first.headers.get('x-rendition-cache')]).toEqual([200, 'MISS']);
    expect((await sharp(Buffer.from(await first.arrayBuffer())).metadata()).width).toBe(120);
    // No memory cache: a HIT was read back from the rendition container.
    let second: Response | undefined;
    for (let attempt = 0; attempt < 50 && second?.headers.get('x-rendition-cache') !== 'HIT'; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      second = await fetch(`${app.url}/tr:w-120/sample/plant.jpg`);
    }
    expect(second!.headers.get('x-rendition-cache')).toBe('HIT');

    const resources = identity.server.requests.map((r) => new URL(r.url, identity.server.url).searchParams.get('resource'));
    expect(new Set(resources)).toEqual(new Set(['https://storage.azure.com']));
    expect(app.output()).not.toContain(identity.env.IDENTITY_HEADER);
  });
});
