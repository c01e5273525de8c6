import ImageKit from '@imagekit/nodejs';
import sharp from 'sharp';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../dev/azurite';
import { readOnlyContainerSas } from '../../dev/seed';
import { startTestApp, type TestApp } from '../helpers/app';

/** Test pictures, each made so that the transformation under test shows in known pixels. */
const solid = (width: number, height: number, background: string) => sharp({ create: { width, height, channels: 3, background } });

/** 200x100: left half red, right half blue. */
export const halves = () =>
  solid(200, 100, '#ff0000')
    .composite([{ input: { create: { width: 100, height: 100, channels: 3, background: '#0000ff' } }, left: 100, top: 0 }])
    .removeAlpha()
    .png()
    .toBuffer();

/** 200x200 quadrants: top-left red, top-right green, bottom-left blue, bottom-right white. */
export const quadrants = () => {
  const block = (background: string) => ({ create: { width: 100, height: 100, channels: 3 as const, background } });
  return solid(200, 200, '#ff0000')
    .composite([
      { input: block('#00ff00'), left: 100, top: 0 },
      { input: block('#0000ff'), left: 0, top: 100 },
      { input: block('#ffffff'), left: 100, top: 100 },
    ])
    .removeAlpha()
    .png()
    .toBuffer();
};

/** 100x100 transparent, with an opaque 40x40 red square at (30, 30). */
export const squareOnTransparent = () =>
  sharp({ create: { width: 100, height: 100, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([{ input: { create: { width: 40, height: 40, channels: 4, background: '#ff0000' } }, left: 30, top: 30 }])
    .png()
    .toBuffer();

/** An animated GIF: three 40x30 frames, red, green, blue. */
export async function animatedGif(): Promise<Buffer> {
  const frames = await Promise.all(['#ff0000', '#00ff00', '#0000ff'].map((c) => solid(40, 30, c).raw().toBuffer()));
  return sharp(Buffer.concat(frames), { raw: { width: 40, height: 90, channels: 3, pageHeight: 30 } })
    .gif({ delay: [100, 100, 100], loop: 0 })
    .toBuffer();
}

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
  image(path: string, headers?: Record<string, string>): Promise<{ meta: sharp.Metadata; headers: Headers; rgba(x: number, y: number): number[] }>;
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

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${app.url}${path}`, { headers });
    return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
  };
  const image = async (path: string, headers: Record<string, string> = {}) => {
    const response = await get(path, headers);
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${response.headers.get('ik-error')}`);
    const meta = await sharp(response.body).metadata();
    const { data, info } = await sharp(response.body).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const rgba = (x: number, y: number) => {
      const i = (y * info.width + x) * 4;
      return [data[i], data[i + 1], data[i + 2], data[i + 3]];
    };
    return { meta, headers: response.headers, rgba };
  };
  return { app, client, get, image, close: () => app.close() };
}

/** Each channel within `tolerance` of the expected RGB(A). */
export function near(actual: number[], expected: number[], tolerance = 8): boolean {
  return expected.every((v, i) => Math.abs(actual[i] - v) <= tolerance);
}
