import { readFileSync } from 'node:fs';
import path from 'node:path';
import { closeFaceDetector } from '../../shared/transform/faces/detect';
import { startTransformApp, type TransformApp } from './transform-fixtures';

const fixture = (name: string) => readFileSync(path.join(__dirname, '..', 'fixtures', 'faces', name));

describe('fo-face and z over HTTP', () => {
  let t: TransformApp;

  beforeAll(async () => {
    t = await startTransformApp({ 'astronaut.jpg': fixture('astronaut.jpg'), 'coffee.jpg': fixture('coffee.jpg') });
  });
  afterAll(async () => {
    await t.close();
    await closeFaceDetector();
  });

  it('crops around the face, at the asked size, with or without a face in the photo', async () => {
    for (const asset of ['astronaut.jpg', 'coffee.jpg']) {
      const { meta } = await t.image(`/tr:w-160,h-160,fo-face/${asset}`);
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 160, 160]);
    }
    const zoomed = await t.image('/astronaut.jpg?tr=w-200,ar-2-1,fo-face,z-0.5');
    expect([zoomed.meta.width, zoomed.meta.height]).toEqual([200, 100]);
    // The face: skin tones in the middle, not the white of the suit or the black of the background.
    const [r, g, b] = (await t.image('/tr:w-100,h-100,fo-face,z-3/astronaut.jpg')).rgba(50, 50);
    expect(r).toBeGreaterThan(b + 30);
    expect(r).toBeGreaterThan(g);
  });

  it('z without fo-face, and fo-<object>, are 400 naming the rule', async () => {
    const zoom = await t.get('/tr:w-100,z-2/astronaut.jpg');
    expect(zoom.status).toBe(400);
    expect(zoom.headers.get('ik-error')).toMatch(/^EBADPARAM - .*"z".*fo-face/);
    const person = await t.get('/tr:w-100,fo-person/astronaut.jpg');
    expect(person.status).toBe(400);
    expect(person.headers.get('ik-error')).toMatch(/^EUNSUPPORTED - .*fo-person/);
  });
});
