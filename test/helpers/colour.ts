/**
 * `expect(pixel).toBeColour([r, g, b(, a)], tolerance)`: every channel given within `tolerance` (default 8, which
 * lossy palettes and resampling stay inside). On failure it prints the pixel as it is, and where it was read when
 * the pixel knows (see `Pixel`). Loaded for every test file by jest.config.js.
 */

/** A pixel's channels, carrying where it was read from for failure messages. */
export type Pixel = number[] & { where?: string };

/** The pixel at (x, y) of raw RGBA data `width` pixels wide. */
export function pixelAt(data: Uint8Array, width: number, x: number, y: number): Pixel {
  const i = (y * width + x) * 4;
  // Not enumerable, so toEqual compares the channels only.
  return Object.defineProperty([data[i], data[i + 1], data[i + 2], data[i + 3]], 'where', { value: `(${x}, ${y})`, enumerable: false });
}

/** Each channel given within `tolerance` of the expected one. */
export function near(actual: readonly number[], expected: readonly number[], tolerance = 8): boolean {
  return expected.every((v, i) => Math.abs(actual[i] - v) <= tolerance);
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- jest's matcher types are declared in its global namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars -- the type parameters must match @types/jest's declaration
    interface Matchers<R, T = {}> {
      toBeColour(expected: readonly number[], tolerance?: number): R;
    }
  }
}

expect.extend({
  toBeColour(received: Pixel, expected: readonly number[], tolerance = 8) {
    const pass = Array.isArray(received) && near(received, expected, tolerance);
    const where = received?.where ? ` at ${received.where}` : '';
    return {
      pass,
      message: () =>
        `expected the pixel${where} ${pass ? 'not ' : ''}to be ${this.utils.printExpected(expected)} within ${tolerance} per channel\n` +
        `pixel: ${this.utils.printReceived(Array.isArray(received) ? [...received] : received)}`,
    };
  },
});
