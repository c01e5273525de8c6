import ImageKit from '@imagekit/nodejs';
import sharp from 'sharp';
import { pixelAt, type Pixel } from '../helpers/colour';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../dev/azurite';
import { readOnlyContainerSas } from '../../dev/seed';
import { startTestApp, type TestApp } from '../helpers/app';
import { getBytes } from '../helpers/http';

export interface Decoded {
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface TransformApp {
  app: TestApp;
  client: ImageKit;
  get(path: string, headers?: Record<string, string>): Promise<Decoded>;
  /** GET, expect 200, and decode: metadata plus RGBA pixels. */
  image(path: string, headers?: Record<string, string>): Promise<{ meta: sharp.Metadata; headers: Headers; rgba(x: number, y: number): Pixel }>;
  close(): Promise<void>;
}

/** The app with the given pictures in an AZURE_BLOB origin behind the default endpoint. */
export async function startTransformApp(pictures: Record<string, Buffer>): Promise<TransformApp> {
  const app = await startTestApp();
  const container = app.blobs.getContainerClient('pictures');
  await container.create();
  for (const [name, body] of Object.entries(pictures)) await container.getBlockBlobClient(name).uploadData(body);
  const client = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
  const sasToken = readOnlyContainerSas(AZURITE_ACCOUNT, AZURITE_KEY, 'pictures');
  const origin = await client.accounts.origins.create({ type: 'AZURE_BLOB', name: 'Pictures', accountName: AZURITE_ACCOUNT, container: 'pictures', sasToken, endpoint: app.azurite.blobEndpoint } as never);
  await client.accounts.urlEndpoints.update('default', { description: 'Default', origins: [origin.id] });

  const get = (path: string, headers: Record<string, string> = {}) => getBytes(`${app.url}${path}`, headers);
  const image = async (path: string, headers: Record<string, string> = {}) => {
    const response = await get(path, headers);
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${response.headers.get('ik-error')}`);
    const meta = await sharp(response.body).metadata();
    const { data, info } = await sharp(response.body).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return { meta, headers: response.headers, rgba: (x: number, y: number) => pixelAt(data, info.width, x, y) };
  };
  return { app, client, get, image, close: () => app.close() };
}
