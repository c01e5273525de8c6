/**
 * The limits that only a crafted request reaches: each is set low here, and each test shows one request just over
 * the limit refused (naming the setting's figures) and one at the limit served, so a check that stopped working
 * fails the test.
 */
import sharp from 'sharp';
import type { DeliveryConfig, EndpointView } from '../../shared/config/snapshot';
import { parseDeliveryUrl } from '../../shared/delivery/request';
import { IkError } from '../../shared/http/errors';
import { authorizeDelivery } from '../../shared/security/access';
import { secureOutput } from '../../shared/security/svg';
import { distinctFrames } from '../helpers/pictures';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { render, type RenderOptions } from '../../shared/transform/render';

// Settings are read on first use, after these are in place.
Object.assign(process.env, {
  PRIVATE_API_KEY: 'private_unit_limits_key_0123456789',
  STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  MAX_ANIMATED_PIXELS: String(8 * 8 * 4),
  MAX_LAYERS: '2',
  MAX_SVG_BYTES: '400',
});

const options: RenderOptions = { accept: '', autoAvif: false, defaultQuality: 80, maxInputPixels: 100_000_000 };

/** What a call was refused with, as status, code and message; undefined when it was not. */
async function refusal(run: () => unknown): Promise<[number, string, string] | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    if (error instanceof IkError) return [error.status, error.code, error.message];
    throw error;
  }
}

describe('MAX_ANIMATED_PIXELS: the pixels of all frames together, from the header', () => {
  it('an animation over it is 400 ELIMIT naming the total; one at it is rendered with every frame', async () => {
    expect(await refusal(async () => render(await distinctFrames(5), parseTransformation('w-4'), options))).toEqual([400, 'ELIMIT', 'The animation has 5 frames totalling 320 pixels, more than 256']);
    const out = await render(await distinctFrames(4), parseTransformation('w-4'), options);
    if (out.kind !== 'rendered') throw new Error(out.kind);
    const meta = await sharp(out.image.body).metadata();
    expect([out.image.contentType, meta.pages, meta.width]).toEqual(['image/gif', 4, 4]);
  });
});

describe('MAX_LAYERS: layers in the path and query steps together', () => {
  const endpoint: EndpointView = { id: 'e', description: '', origins: [], urlPrefix: '' };
  const config: DeliveryConfig = { endpoints: [endpoint], origins: new Map(), namedTransformations: new Map() };
  const authorize = (url: string) => authorizeDelivery(url, parseDeliveryUrl(new URL(url), config)!);
  const layer = (text: string) => `l-text,i-${text},l-end`;

  it('three layers are 400 ELIMIT naming the count; two are allowed', async () => {
    expect(await refusal(() => authorize(`https://cdn.example/tr:${layer('a')}:${layer('b')}/a.jpg?tr=${layer('c')}`))).toEqual([400, 'ELIMIT', 'The transformation has 3 layers; at most 2 are allowed']);
    expect(authorize(`https://cdn.example/tr:${layer('a')}/a.jpg?tr=${layer('b')}`)).toEqual({ signed: false });
  });
});

describe('MAX_SVG_BYTES: an SVG is parsed to be sanitised only when small enough', () => {
  const svg = (bytes: number) => {
    const head = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><desc>';
    const tail = '</desc></svg>';
    return Buffer.from(head + 'x'.repeat(bytes - head.length - tail.length) + tail);
  };

  it('one byte over is 400 ELIMIT naming the size; at the limit it is served sanitised', async () => {
    expect(await refusal(() => secureOutput({ body: svg(401), contentType: 'image/svg+xml' }))).toEqual([400, 'ELIMIT', 'The SVG is 401 bytes; at most 400 are allowed']);
    const served = await secureOutput<{ body: Buffer; contentType: string; extraHeaders?: Record<string, string> }>({ body: svg(400), contentType: 'image/svg+xml' });
    expect(served.body.toString()).toMatch(/^<svg [^>]*><desc>x+<\/desc><\/svg>$/);
    expect(served.extraHeaders?.['content-security-policy']).toMatch(/default-src 'none'/);
  });
});

describe('TRANSFORM_TIMEOUT_SECONDS: one deadline for the whole job', () => {
  const base = () => sharp({ create: { width: 20, height: 20, channels: 3, background: '#336699' } }).png().toBuffer();
  const logo = () => sharp({ create: { width: 4, height: 4, channels: 3, background: '#ffffff' } }).png().toBuffer();
  /** A layer image that arrives after `ms`: the time it takes is the job's too. */
  const slowLayer = (ms: number): RenderOptions => ({ ...options, timeoutSeconds: 1, loadLayer: () => new Promise((resolve) => setTimeout(() => resolve(logo()), ms)) });

  it('work left after the deadline is 503 ETIMEOUT naming the setting; within it the job is done', async () => {
    const steps = parseTransformation('l-image,i-logo.png,l-end');
    expect(await refusal(async () => render(await base(), steps, slowLayer(1200)))).toEqual([503, 'ETIMEOUT', 'The transformation took longer than TRANSFORM_TIMEOUT_SECONDS (1 s); try again shortly, or ask for a smaller result']);
    const out = await render(await base(), steps, slowLayer(0));
    expect(out.kind === 'rendered' ? out.image.width : out.kind).toBe(20);
  });
});
