import sharp from 'sharp';

/** Test pictures, each made so that the transformation under test shows in known pixels. */
export const solid = (width: number, height: number, background: string) => sharp({ create: { width, height, channels: 3, background } });

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

/** An 8x8 GIF of `count` frames; frame i is black with pixel i white, so the encoder keeps every frame (it merges frames that look alike). */
export function distinctFrames(count: number): Promise<Buffer> {
  const frame = (i: number) => {
    const pixels = Buffer.alloc(8 * 8 * 4);
    for (let p = 0; p < 64; p++) pixels.fill(p === i ? 255 : 0, p * 4, p * 4 + 3).fill(255, p * 4 + 3, p * 4 + 4);
    return pixels;
  };
  const pixels = Buffer.concat(Array.from({ length: count }, (_, i) => frame(i)));
  return sharp(pixels, { raw: { width: 8, height: 8 * count, channels: 4, pageHeight: 8 } }).gif({ loop: 0 }).toBuffer();
}

export const RED = [255, 0, 0, 255];
export const GREEN = [0, 255, 0, 255];
export const BLUE = [0, 0, 255, 255];
export const WHITE = [255, 255, 255, 255];
export const BLACK = [0, 0, 0, 255];
