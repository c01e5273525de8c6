import type ImageKit from '@imagekit/nodejs';
import { BlobServiceClient } from '@azure/storage-blob';
import { randomBytes } from 'node:crypto';
import type { RunningAzurite } from '../../dev/azurite';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../dev/azurite';
import { readOnlyContainerSas } from '../../dev/seed';
import { demoImages } from '../../dev/sample-images';
import { startLocalHost, type LocalHost } from '../../dev/server';
import { app, builtApp, type App } from '../../shared/app';
import { startTestAzurite } from './azurite';

export interface TestApp {
  url: string;
  privateKey: string;
  azurite: RunningAzurite;
  blobs: BlobServiceClient;
  /** The parts of the app this host serves, as it built them from its settings (shared/app). */
  parts(): App;
  close(): Promise<void>;
}

/**
 * Azurite plus the local host, in this test file's process. The app is built from the environment once (shared/app),
 * so the environment is filled before the host starts (`env` may depend on the Azurite started for it); each jest
 * test file has its own module registry, and so its own app.
 */
export async function startTestApp(env: Record<string, string> | ((azurite: RunningAzurite) => Record<string, string>) = {}): Promise<TestApp> {
  const azurite = await startTestAzurite();
  const privateKey = `private_test_${randomBytes(12).toString('hex')}`;
  Object.assign(process.env, {
    STORAGE_CONNECTION_STRING: azurite.connectionString,
    PRIVATE_API_KEY: privateKey,
    CONFIG_CACHE_SECONDS: '0',
    ...(typeof env === 'function' ? env(azurite) : env),
  });
  let host: LocalHost;
  try {
    host = await startLocalHost(0);
  } catch (error) {
    await azurite.stop();
    throw error;
  }
  return {
    url: host.url,
    privateKey,
    azurite,
    blobs: BlobServiceClient.fromConnectionString(azurite.connectionString),
    parts: app,
    close: async () => {
      // Background rendition writes log when they fail; let them finish while storage is still up.
      await builtApp()?.renditions.settle();
      await host.close();
      await azurite.stop();
    },
  };
}

/** Uploads the demo images into a container and returns a read-only SAS for it, as an operator would. */
export async function uploadDemo(app: Omit<TestApp, 'parts'>, container: string): Promise<string> {
  const client = app.blobs.getContainerClient(container);
  await client.createIfNotExists();
  for (const image of await demoImages()) {
    await client.getBlockBlobClient(image.name).uploadData(image.body, { blobHTTPHeaders: { blobContentType: image.contentType } });
  }
  return readOnlyContainerSas(AZURITE_ACCOUNT, AZURITE_KEY, container);
}

/**
 * Uploads the demo images, registers an AZURE_BLOB origin for them through the ImageKit client, and makes it
 * the default endpoint's origin. Returns the origin's id.
 */
export async function serveDemoFromDefaultEndpoint(app: Omit<TestApp, 'parts'>, client: ImageKit, container = 'photos'): Promise<string> {
  const sasToken = await uploadDemo(app, container);
  // `endpoint` is this server's additive field (Azurite's blob URL); the SDK's type does not know it.
  const body = { type: 'AZURE_BLOB' as const, name: 'Photos', accountName: AZURITE_ACCOUNT, container, sasToken, endpoint: app.azurite.blobEndpoint };
  const origin = await client.accounts.origins.create(body);
  await client.accounts.urlEndpoints.update('default', { description: 'Default', origins: [origin.id] });
  return origin.id;
}
