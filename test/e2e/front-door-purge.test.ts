import ImageKit from '@imagekit/nodejs';
import { BlobServiceClient } from '@azure/storage-blob';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { RunningAzurite } from '../../dev/azurite';
import { startAppProcess, type AppProcess } from '../helpers/app-process';
import { serveDemoFromDefaultEndpoint } from '../helpers/app';
import { startTestAzurite } from '../helpers/azurite';
import { startIdentityEndpoint, type IdentityEndpoint } from '../helpers/identity';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server';
import { loopbackCertificate } from '../helpers/tls';

/**
 * Front Door purges as the deployed app makes them: the purge API queues the edge purge on Azurite's queue service
 * and the queue-triggered function, polled by the local host as the Functions host polls it, performs it with
 * retries and a poison queue. DefaultAzureCredential takes a token from the App Service
 * managed identity endpoint (IDENTITY_ENDPOINT, IDENTITY_HEADER), and @azure/arm-cdn sends the purge to Resource
 * Manager and polls the long-running operation. Both Azure services are stood in for by loopback servers that
 * answer as the services document; Resource Manager over HTTPS, with a certificate made for this run that the app
 * process trusts through NODE_EXTRA_CA_CERTS.
 */
describe('Front Door purge through Resource Manager with the managed identity', () => {
  const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
  const purgePath = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-images/providers/Microsoft.Cdn/profiles/fd-images/afdEndpoints/images/purge`;

  let folder: string;
  let azurite: RunningAzurite;
  let identity: IdentityEndpoint;
  let token: string;
  let arm: LoopbackServer;
  let app: AppProcess;
  let client: ImageKit;
  const purgeBodies: unknown[] = [];
  /** What Resource Manager answers to the next purges: `refuse` of them refused, then accepted (and finished once `finish` is true). */
  const edge = { refuse: 0, finish: false };
  const privateKey = 'private_front_door_purge_test_key';
  let appEnv: Record<string, string>;

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

  beforeAll(async () => {
    folder = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ik-front-door-'));
    const certificate = await loopbackCertificate(folder);
    identity = await startIdentityEndpoint();
    // Resource Manager: POST …/afdEndpoints/{name}/purge answers 202 with an operation to poll (Azure-AsyncOperation).
    arm = await startLoopbackServer(
      (req, res) => {
        if (req.headers.authorization !== `Bearer ${token}`) return json(res, 401, { error: { code: 'AuthenticationFailed', message: 'no token' } });
        const url = new URL(req.url!, arm.url);
        if (req.method === 'POST' && url.pathname === purgePath) {
          let body = '';
          req.on('data', (chunk) => (body += chunk));
          req.on('end', () => {
            purgeBodies.push(JSON.parse(body));
            if (edge.refuse > 0 && edge.refuse--) return json(res, 403, { error: { code: 'AuthorizationFailed', message: 'The client does not have authorization to perform action Microsoft.Cdn/profiles/afdEndpoints/purge/action' } });
            const operation = `${arm.url}/operations/purge-${purgeBodies.length}?api-version=2024-02-01`;
            json(res, 202, {}, { 'azure-asyncoperation': operation, location: operation, 'retry-after': '1' });
          });
          return;
        }
        if (req.method === 'GET' && url.pathname.startsWith('/operations/')) {
          return json(res, 200, { status: edge.finish ? 'Succeeded' : 'InProgress' }, { 'retry-after': '1' });
        }
        json(res, 404, { error: { code: 'NotFound', message: `${req.method} ${url.pathname}` } });
      },
      '127.0.0.1',
      { key: certificate.key, cert: certificate.cert },
    );
    // The token's audience is Resource Manager itself.
    token = identity.token(arm.url);

    azurite = await startTestAzurite();
    appEnv = {
      STORAGE_CONNECTION_STRING: azurite.connectionString,
      PRIVATE_API_KEY: privateKey,
      CONFIG_CACHE_SECONDS: '0',
      FRONT_DOOR_SUBSCRIPTION_ID: SUBSCRIPTION,
      FRONT_DOOR_RESOURCE_GROUP: 'rg-images',
      FRONT_DOOR_PROFILE: 'fd-images',
      FRONT_DOOR_ENDPOINT: 'images',
      RESOURCE_MANAGER_ENDPOINT: arm.url,
      ...identity.env,
      NODE_EXTRA_CA_CERTS: certificate.certPath,
      // host.json's queue settings, overridden as app settings override them for the Functions host: quick retries.
      AzureFunctionsJobHost__extensions__queues__maxPollingInterval: '00:00:00.2',
      AzureFunctionsJobHost__extensions__queues__visibilityTimeout: '00:00:01',
      AzureFunctionsJobHost__extensions__queues__maxDequeueCount: '2',
    };
    app = await startAppProcess(appEnv);
    client = new ImageKit({ privateKey, baseURL: app.url, maxRetries: 0 });
    const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    await serveDemoFromDefaultEndpoint({ url: app.url, privateKey, azurite, blobs, close: async () => undefined }, client);
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await azurite?.stop();
    await arm?.close();
    await identity?.server.close();
    if (folder) await fs.promises.rm(folder, { recursive: true, force: true });
  });

  async function statusUntil(requestId: string, wanted: string, withError = false): Promise<{ status?: string; error?: string }> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const status = (await client.cache.invalidation.get(requestId)) as { status?: string; error?: string };
      if (status.status === wanted && (!withError || status.error)) return status;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`purge ${requestId} never reached ${wanted}`);
  }

  async function purgesSent(count: number): Promise<void> {
    for (let attempt = 0; attempt < 100 && purgeBodies.length < count; attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(purgeBodies).toHaveLength(count);
  }

  it('purges the path, the asset path and their auto-format forms, stays Pending until Front Door finishes, then Completed', async () => {
    const rendition = await fetch(`${app.url}/tr:w-100/sample/plant.jpg`);
    expect(rendition.status).toBe(200);

    const { requestId } = await client.cache.invalidation.create({ url: `${app.url}/tr:w-100/sample/plant.jpg` });
    expect(await statusUntil(requestId!, 'Pending')).toEqual({ status: 'Pending' });
    await purgesSent(1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await client.cache.invalidation.get(requestId!)).toEqual({ status: 'Pending' });
    // The URL's own path form, and the asset's plain path, under which Front Door keeps every `?tr=` form.
    const forms = (p: string) => [p, `/_ik-accept/avif${p}`, `/_ik-accept/webp${p}`];
    expect(purgeBodies).toEqual([{ contentPaths: [...forms('/tr:w-100/sample/plant.jpg'), ...forms('/sample/plant.jpg')] }]);

    edge.finish = true;
    expect(await statusUntil(requestId!, 'Completed')).toEqual({ status: 'Completed' });
    // The token came from the managed identity endpoint, for Resource Manager's own audience.
    const tokenRequest = new URL(identity.server.requests[0].url, identity.server.url);
    expect([tokenRequest.pathname, tokenRequest.searchParams.get('api-version'), tokenRequest.searchParams.get('resource')]).toEqual(['/msi/token', '2019-08-01', arm.url]);
    const purgeRequest = arm.requests.find((r) => r.url.startsWith(purgePath))!;
    expect(new URL(purgeRequest.url, arm.url).searchParams.get('api-version')).toBe('2024-02-01');
  });

  it('a refused edge purge is tried again: Pending with the error meanwhile, Completed once Front Door accepts it', async () => {
    purgeBodies.length = 0;
    edge.refuse = 1;
    const { requestId } = await client.cache.invalidation.create({ url: `${app.url}/sample/logo.png` });
    await purgesSent(1);
    expect(await statusUntil(requestId!, 'Pending', true)).toEqual({ status: 'Pending', error: expect.stringMatching(/^Front Door purge failed: .*purge\/action/) });
    // host.json's visibilityTimeout (1 s here) later, the second try.
    await purgesSent(2);
    expect(await statusUntil(requestId!, 'Completed')).toEqual({ status: 'Completed' });
  });

  it('a purge refused on every try goes to the poison queue and is reported Completed with the error; the renditions are removed all the same', async () => {
    purgeBodies.length = 0;
    edge.refuse = 2;
    const first = await fetch(`${app.url}/tr:w-90/sample/landscape.jpg`);
    expect(first.headers.get('x-rendition-cache')).toBe('MISS');

    const { requestId } = await client.cache.invalidation.create({ url: `${app.url}/sample/landscape.jpg` });
    const status = await statusUntil(requestId!, 'Completed');
    expect(status.error).toMatch(/^Front Door purge failed: .*authorization to perform action Microsoft\.Cdn\/profiles\/afdEndpoints\/purge\/action/);
    expect(purgeBodies).toHaveLength(2);
    expect(app.output()).toMatch(new RegExp(`edge purge ${requestId}: gave up after the last try`));
    expect((await fetch(`${app.url}/tr:w-90/sample/landscape.jpg`)).headers.get('x-rendition-cache')).toBe('MISS');
    // Neither the identity secret nor the token reaches a response or the log.
    expect(JSON.stringify(status)).not.toContain(token);
    expect(app.output()).not.toContain(token);
    expect(app.output()).not.toContain(identity.env.IDENTITY_HEADER);
  });

  it('a purge under way when the app stops is finished by the next start, from the queue', async () => {
    purgeBodies.length = 0;
    edge.finish = false;
    const { requestId } = await client.cache.invalidation.create({ url: `${app.url}/sample/plant.jpg` });
    await purgesSent(1);
    await app.stop();

    edge.finish = true;
    app = await startAppProcess(appEnv);
    client = new ImageKit({ privateKey, baseURL: app.url, maxRetries: 0 });
    expect(await statusUntil(requestId!, 'Completed')).toEqual({ status: 'Completed' });
    expect(purgeBodies).toHaveLength(2);
  });
});
