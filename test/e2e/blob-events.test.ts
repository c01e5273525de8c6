import ImageKit from '@imagekit/nodejs';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../dev/azurite';
import { readOnlyContainerSas } from '../../dev/seed';
import { startTestApp, type TestApp } from '../helpers/app';
import { manage } from '../helpers/manage';

type Colour = [number, number, number];
const RED: Colour = [255, 0, 0];
const YELLOW: Colour = [255, 255, 0];
const MAGENTA: Colour = [255, 0, 255];
const BLUE: Colour = [0, 0, 255];
const GREEN: Colour = [0, 128, 0];

const solid = (colour: Colour, size = 64) => sharp({ create: { width: size, height: size, channels: 3, background: { r: colour[0], g: colour[1], b: colour[2] } } }).png().toBuffer();

/**
 * Blob Storage events as Event Grid delivers them to the Functions host's webhook, here the local host's: a replaced
 * original makes its renditions, and renditions that draw it as a layer, MISS with the new pixels; a deleted one
 * 404s (or shows its `di-` default) at once; events for blobs no origin serves purge nothing and are counted.
 */
describe('blob events invalidate renditions (Event Grid webhook)', () => {
  let app: TestApp;
  let client: ImageKit;
  const container = 'photos';
  const swatchBlob = 'shots/colour/swatch.png';
  const swatch = '/tr:w-32,f-png/colour/swatch.png';
  const layered = '/tr:w-64,l-image,i-colour@@swatch.png,w-16,h-16,lx-0,ly-0,l-end,f-png/base.png';
  const withDefault = '/tr:w-20,f-png,di-fallback.png/colour/swatch.png';
  let azuriteBlobUrl: string;

  async function get(path: string) {
    const response = await fetch(`${app.url}${path}`);
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, cache: response.headers.get('x-rendition-cache'), body };
  }

  async function pixel(body: Buffer, x: number, y: number): Promise<Colour> {
    const { data, info } = await sharp(body).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const at = (y * info.width + x) * info.channels;
    return [data[at], data[at + 1], data[at + 2]];
  }

  const near = (a: Colour, b: Colour) => a.every((v, i) => Math.abs(v - b[i]) <= 8);

  /** Requests until the response is a HIT (the rendition was stored in the background), a bounded number of times. */
  async function untilHit(path: string) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const response = await get(path);
      if (response.cache === 'HIT') return response;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${path} never became a HIT`);
  }

  /** The swatch, and the asset that draws it as a layer, are made again (MISS) and show `colour`. */
  async function expectRemade(colour: Colour) {
    const plain = await get(swatch);
    expect(plain.cache).toBe('MISS');
    expect(near(await pixel(plain.body, 16, 16), colour)).toBe(true);
    const layer = await get(layered);
    expect(layer.cache).toBe('MISS');
    expect(near(await pixel(layer.body, 4, 4), colour)).toBe(true);
    expect(near(await pixel(layer.body, 40, 40), BLUE)).toBe(true);
  }

  async function upload(name: string, body: Buffer, into = container) {
    const c = app.blobs.getContainerClient(into);
    await c.createIfNotExists();
    await c.getBlockBlobClient(name).uploadData(body, { blobHTTPHeaders: { blobContentType: 'image/png' } });
  }

  const topic = `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/media/providers/Microsoft.Storage/storageAccounts/${AZURITE_ACCOUNT}`;

  function blobData(type: string, url: string) {
    return {
      api: type.endsWith('Deleted') ? 'DeleteBlob' : 'PutBlob',
      clientRequestId: randomUUID(),
      requestId: randomUUID(),
      eTag: '0x8D4BCC2E4835CD0',
      contentType: 'image/png',
      contentLength: 524,
      blobType: 'BlockBlob',
      url,
      sequencer: '00000000000004420000000000028963',
      storageDiagnostics: { batchId: randomUUID() },
    };
  }

  /** An event in the Event Grid schema, as Blob Storage publishes it. */
  function eventGridEvent(type: string, blobContainer: string, blob: string, url: string) {
    return {
      topic,
      subject: `/blobServices/default/containers/${blobContainer}/blobs/${blob}`,
      eventType: type,
      eventTime: new Date().toISOString(),
      id: randomUUID(),
      data: blobData(type, url),
      dataVersion: '',
      metadataVersion: '1',
    };
  }

  /** The same event in CloudEvents 1.0. */
  function cloudEvent(type: string, blobContainer: string, blob: string, url: string) {
    return {
      source: topic,
      subject: `/blobServices/default/containers/${blobContainer}/blobs/${blob}`,
      type,
      time: new Date().toISOString(),
      id: randomUUID(),
      data: blobData(type, url),
      specversion: '1.0',
    };
  }

  async function deliver(body: unknown, contentType: string, eventType = 'Notification') {
    const response = await fetch(`${app.url}/runtime/webhooks/eventgrid?functionName=blobEvents`, {
      method: 'POST',
      headers: { 'content-type': contentType, 'aeg-event-type': eventType, 'aeg-subscription-name': 'IMAGE-CDN-ORIGINALS', 'aeg-delivery-count': '0' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as { received: number; purged: number; ignored: number; ignoredBy: Record<string, number>; validationResponse?: string } };
  }

  beforeAll(async () => {
    app = await startTestApp();
    azuriteBlobUrl = app.azurite.blobEndpoint.replace(/\/+$/, '');
    client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    await upload(swatchBlob, await solid(RED));
    await upload('shots/base.png', await solid(BLUE));
    await upload('shots/fallback.png', await solid(GREEN));
    // Outside the origin's prefix, and a container no origin reads.
    await upload('elsewhere/colour/swatch.png', await solid(RED));
    await upload('colour/swatch.png', await solid(RED), 'unrelated');
    const body = {
      type: 'AZURE_BLOB' as const,
      name: 'Shots',
      accountName: AZURITE_ACCOUNT,
      container,
      prefix: 'shots',
      sasToken: readOnlyContainerSas(AZURITE_ACCOUNT, AZURITE_KEY, container),
      endpoint: app.azurite.blobEndpoint,
    };
    const origin = await client.accounts.origins.create(body);
    await client.accounts.urlEndpoints.update('default', { description: 'Default', origins: [origin.id] });
  }, 60_000);
  afterAll(() => app.close());

  it('answers the subscription validation handshake of both schemas', async () => {
    const validation = {
      id: randomUUID(),
      topic,
      subject: '',
      data: { validationCode: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6', validationUrl: 'https://rp-eastus2.eventgrid.azure.net/api/subscriptions/x/validate?id=y' },
      eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
      eventTime: new Date().toISOString(),
      metadataVersion: '1',
      dataVersion: '1',
    };
    const answer = await deliver([validation], 'application/json', 'SubscriptionValidation');
    expect(answer).toEqual({ status: 200, json: { validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' } });

    const options = await fetch(`${app.url}/runtime/webhooks/eventgrid?functionName=blobEvents`, { method: 'OPTIONS', headers: { 'WebHook-Request-Origin': 'eventgrid.azure.net' } });
    expect(options.status).toBe(200);
    expect(options.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');

    const unknown = await fetch(`${app.url}/runtime/webhooks/eventgrid?functionName=nope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
    expect(unknown.status).toBe(404);
    const notJson = await fetch(`${app.url}/runtime/webhooks/eventgrid?functionName=blobEvents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'not json' });
    expect(notJson.status).toBe(400);
  });

  it('renditions are cached before the blob changes', async () => {
    const plain = await get(swatch);
    expect(plain).toMatchObject({ status: 200, cache: 'MISS' });
    expect(near(await pixel(plain.body, 16, 16), RED)).toBe(true);
    const layer = await get(layered);
    expect(layer).toMatchObject({ status: 200, cache: 'MISS' });
    expect(near(await pixel(layer.body, 4, 4), RED)).toBe(true);
    expect(near(await pixel(layer.body, 40, 40), BLUE)).toBe(true);
    expect(near(await pixel((await get(withDefault)).body, 10, 10), RED)).toBe(true);
    for (const path of [swatch, layered, withDefault]) await untilHit(path);
  });

  it('events for blobs no origin serves purge nothing, and are counted', async () => {
    const events = [
      eventGridEvent('Microsoft.Storage.BlobCreated', 'unrelated', 'colour/swatch.png', `${azuriteBlobUrl}/unrelated/colour/swatch.png`),
      eventGridEvent('Microsoft.Storage.BlobCreated', container, 'elsewhere/colour/swatch.png', `${azuriteBlobUrl}/${container}/elsewhere/colour/swatch.png`),
      eventGridEvent('Microsoft.Storage.BlobCreated', 'renditions', 'default/colour/swatch.png/x', `${azuriteBlobUrl}/renditions/default/colour/swatch.png/x`),
      eventGridEvent('Microsoft.Storage.BlobCreated', container, 'shots/%2e%2e/colour/swatch.png', `${azuriteBlobUrl}/${container}/shots/%252e%252e/colour/swatch.png`),
      { ...eventGridEvent('Microsoft.Storage.BlobTierChanged', container, swatchBlob, `${azuriteBlobUrl}/${container}/${swatchBlob}`) },
    ];
    const answer = await deliver(events, 'application/json');
    expect(answer).toEqual({
      status: 200,
      json: {
        received: 5,
        purged: 0,
        ignored: 5,
        failed: 0,
        purgeRequests: 0,
        ignoredBy: { 'no origin reads this blob': 2, 'rendition container': 1, 'unsafe blob path': 1, 'not a blob event': 1 },
      },
    });
    for (const path of [swatch, layered, withDefault]) expect((await get(path)).cache).toBe('HIT');
  });

  it('a blob name with characters the URL escapes is decoded once, as storage names it', async () => {
    await upload('shots/with space+plus.png', await solid(RED));
    const path = '/tr:w-16,f-png/with%20space+plus.png';
    expect((await get(path)).cache).toBe('MISS');
    await untilHit(path);
    await upload('shots/with space+plus.png', await solid(YELLOW));
    const event = cloudEvent('Microsoft.Storage.BlobCreated', container, 'shots/with space+plus.png', `${azuriteBlobUrl}/${container}/shots/with%20space%2Bplus.png`);
    expect(await deliver(event, 'application/cloudevents+json')).toMatchObject({ status: 200, json: { purged: 1 } });
    const after = await get(path);
    expect(after.cache).toBe('MISS');
    expect(near(await pixel(after.body, 8, 8), YELLOW)).toBe(true);
  });

  it('a blob whose name ends with "*" purges that one name, not every asset it begins', async () => {
    const star = eventGridEvent('Microsoft.Storage.BlobCreated', container, `${swatchBlob}*`, `${azuriteBlobUrl}/${container}/${swatchBlob}*`);
    expect(await deliver([star], 'application/json')).toMatchObject({ status: 200, json: { received: 1, purged: 1 } });
    for (const path of [swatch, layered, withDefault]) expect((await get(path)).cache).toBe('HIT');
  });

  it('BlobCreated in the Event Grid schema: the next requests are MISS with the new pixels, layers included', async () => {
    await upload(swatchBlob, await solid(YELLOW));
    // The account's public URL, as Azure sends it; the origin reads the same container through Azurite's endpoint.
    const event = eventGridEvent('Microsoft.Storage.BlobCreated', container, swatchBlob, `https://${AZURITE_ACCOUNT}.blob.core.windows.net/${container}/${swatchBlob}`);
    expect(await deliver([event], 'application/json')).toMatchObject({ status: 200, json: { received: 1, purged: 1, ignored: 0 } });
    await expectRemade(YELLOW);
    const fallbackCase = await get(withDefault);
    expect(fallbackCase.cache).toBe('MISS');
    expect(near(await pixel(fallbackCase.body, 10, 10), YELLOW)).toBe(true);
    for (const path of [swatch, layered, withDefault]) await untilHit(path);
  });

  it('BlobCreated as one CloudEvent, replayed in a batch: MISS with the new pixels, and replays do no harm', async () => {
    await upload(swatchBlob, await solid(MAGENTA));
    const event = cloudEvent('Microsoft.Storage.BlobCreated', container, swatchBlob, `${azuriteBlobUrl}/${container}/${swatchBlob}`);
    expect(await deliver(event, 'application/cloudevents+json; charset=utf-8')).toMatchObject({ status: 200, json: { received: 1, purged: 1 } });
    await expectRemade(MAGENTA);
    await untilHit(swatch);
    // Event Grid delivers at least once: the same event again, twice in one batch.
    const replayed = await deliver([event, event], 'application/cloudevents-batch+json; charset=utf-8');
    expect(replayed).toMatchObject({ status: 200, json: { received: 2, purged: 2, ignored: 0, purgeRequests: 1 } });
    const again = await get(swatch);
    expect(again.status).toBe(200);
    expect(near(await pixel(again.body, 16, 16), MAGENTA)).toBe(true);
  });

  it('BlobDeleted (CloudEvents batch): the asset 404s at once, its di- default shows, and the layer user 404s naming the layer', async () => {
    await untilHit(withDefault);
    await app.blobs.getContainerClient(container).deleteBlob(swatchBlob);
    const event = cloudEvent('Microsoft.Storage.BlobDeleted', container, swatchBlob, `${azuriteBlobUrl}/${container}/${swatchBlob}`);
    expect(await deliver([event], 'application/cloudevents-batch+json; charset=utf-8')).toMatchObject({ status: 200, json: { received: 1, purged: 1 } });
    expect((await get(swatch)).status).toBe(404);
    const fallbackCase = await get(withDefault);
    expect(fallbackCase.status).toBe(200);
    expect(near(await pixel(fallbackCase.body, 10, 10), GREEN)).toBe(true);
    expect((await get(layered)).status).toBe(404);
  });

  it('the management API lists the purges events made, and reports each like a purge request', async () => {
    const listed = await manage(app, 'GET', '/v1/files/purge?source=event&limit=10');
    expect(listed.status).toBe(200);
    const purges = listed.json.purges as { requestId: string; url: string; status: string; event: { type: string; blobUrl: string } }[];
    // The escaped name, the `*` name, created (Event Grid schema), created (CloudEvent), the replayed pair (one purge: deduplicated
    // while waiting), deleted.
    expect(purges).toHaveLength(6);
    expect(purges[0]).toMatchObject({ url: '/colour/swatch.png', status: 'Completed', event: { type: 'Microsoft.Storage.BlobDeleted', blobUrl: `${azuriteBlobUrl}/${container}/${swatchBlob}` } });
    expect(purges.some((p) => p.event.blobUrl === `https://${AZURITE_ACCOUNT}.blob.core.windows.net/${container}/${swatchBlob}`)).toBe(true);
    const one = await manage(app, 'GET', `/v1/files/purge/${purges[0].requestId}`);
    expect(one).toMatchObject({ status: 200, json: { status: 'Completed' } });
    const bad = await manage(app, 'GET', '/v1/files/purge?source=event&limit=1000');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/^limit: /);
    expect((await manage(app, 'GET', '/v1/files/purge')).json.message).toMatch(/^source: /);
  });
});
