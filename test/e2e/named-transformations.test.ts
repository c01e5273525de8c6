import ImageKit from '@imagekit/nodejs';
import sharp from 'sharp';
import { startTransformApp, type TransformApp } from './transform-fixtures';

describe('named transformations: management API through @imagekit/nodejs, n-<name> in delivery', () => {
  let t: TransformApp;
  let client: ImageKit;

  const size = async (path: string) => {
    const { meta } = await t.image(path);
    return [meta.width, meta.height];
  };

  beforeAll(async () => {
    t = await startTransformApp({ 'photo.jpg': await sharp({ create: { width: 400, height: 300, channels: 3, background: '#336699' } }).jpeg().toBuffer() });
    client = t.client;
  });
  afterAll(() => t.close());

  it('create, get, list, update (PATCH), delete, in ImageKit\'s shapes', async () => {
    const created = await client.namedTransformations.create({ name: 'small_thumb', transformation: 'w-100,h-100,cm-pad_resize' });
    expect(created).toMatchObject({ name: 'small_thumb', transformation: 'w-100,h-100,cm-pad_resize', enabled: true });
    expect(created.id).toMatch(/^[0-9a-f]{24}$/);
    expect(Date.parse(created.createdAt)).not.toBeNaN();
    expect(await client.namedTransformations.get(created.id)).toEqual(created);
    expect((await client.namedTransformations.list()).map((n) => n.name)).toContain('small_thumb');

    const updated = await client.namedTransformations.update(created.id, { transformation: 'w-50' });
    expect(updated).toMatchObject({ name: 'small_thumb', transformation: 'w-50', enabled: true, createdAt: created.createdAt });

    await client.namedTransformations.delete(created.id);
    await expect(client.namedTransformations.get(created.id)).rejects.toMatchObject({ status: 404 });
  });

  it('refuses bad names, duplicate names and transformations that do not parse', async () => {
    await expect(client.namedTransformations.create({ name: 'bad-name', transformation: 'w-10' })).rejects.toMatchObject({ status: 400 });
    await expect(client.namedTransformations.create({ name: 'broken', transformation: 'w-abc' })).rejects.toMatchObject({ status: 400 });
    await expect(client.namedTransformations.create({ name: 'nested', transformation: 'n-other' })).rejects.toMatchObject({ status: 400 });
    await client.namedTransformations.create({ name: 'twice', transformation: 'w-10' });
    await expect(client.namedTransformations.create({ name: 'twice', transformation: 'w-20' })).rejects.toMatchObject({ status: 409 });
  });

  it('n-<name> in path and query expands; an update changes the image at once; chains and mixing with other parameters work', async () => {
    const named = await client.namedTransformations.create({ name: 'card', transformation: 'w-200,h-100' });
    expect(await size('/tr:n-card/photo.jpg')).toEqual([200, 100]);
    expect(await size('/photo.jpg?tr=n-card')).toEqual([200, 100]);
    expect(await size('/tr:n-card:w-0.5/photo.jpg')).toEqual([100, 50]);
    expect(await size('/tr:n-card,c-at_max/photo.jpg')).toEqual([133, 100]);
    // Expanded in place, so a parameter the name already sets appears twice in the step.
    expect((await t.get('/tr:n-card,h-50/photo.jpg')).status).toBe(400);
    await client.namedTransformations.update(named.id, { transformation: 'w-120:rt-90' });
    expect(await size('/tr:n-card/photo.jpg')).toEqual([90, 120]);
  });

  it('unknown and disabled names are 400 naming them', async () => {
    const unknown = await t.get('/tr:n-nothing/photo.jpg');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('ik-error')).toContain('"nothing" does not exist');
    const named = await client.namedTransformations.create({ name: 'off', transformation: 'w-10', enabled: false });
    const disabled = await t.get('/tr:n-off/photo.jpg');
    expect(disabled.status).toBe(400);
    expect(disabled.headers.get('ik-error')).toContain('"off" is disabled');
    await client.namedTransformations.update(named.id, { enabled: true });
    expect(await size('/tr:n-off/photo.jpg')).toEqual([10, 8]);
  });
});
