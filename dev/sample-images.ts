import sharp from 'sharp';

/** A photo-like test picture: smooth gradients, shapes and fine noise, so encoders behave as on real photos. */
export async function photoLike(width: number, height: number, seed = 1): Promise<sharp.Sharp> {
  const hue = (seed * 67) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs>
      <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
        <stop offset="0" stop-color="hsl(${hue},70%,75%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360},60%,35%)"/>
      </linearGradient>
      <radialGradient id="sun"><stop offset="0" stop-color="#fff7c0"/><stop offset="1" stop-color="#ff9a3c" stop-opacity="0"/></radialGradient>
    </defs>
    <rect width="100%" height="100%" fill="url(#sky)"/>
    <circle cx="${width * 0.7}" cy="${height * 0.3}" r="${Math.min(width, height) * 0.25}" fill="url(#sun)"/>
    <path d="M0 ${height * 0.75} Q ${width * 0.3} ${height * 0.55} ${width * 0.6} ${height * 0.7} T ${width} ${height * 0.65} V ${height} H 0 Z" fill="hsl(${(hue + 120) % 360},45%,30%)"/>
  </svg>`;
  const base = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer();
  // Deterministic grain (a linear congruential sequence) stands in for sensor noise.
  let state = seed;
  for (let i = 0; i < base.length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    base[i] = Math.max(0, Math.min(255, base[i] + ((state >> 16) % 13) - 6));
  }
  return sharp(base, { raw: { width, height, channels: 3 } });
}

/** A transparent PNG: an opaque disc on a fully transparent background. */
export function transparentPng(size: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
    <circle cx="${size / 2}" cy="${size / 2}" r="${size * 0.4}" fill="#1e88e5"/>
    <rect x="${size * 0.3}" y="${size * 0.45}" width="${size * 0.4}" height="${size * 0.1}" fill="#ffffff"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** The demo set the local host seeds and the tests use: name, bytes, content type. */
export async function demoImages(): Promise<{ name: string; body: Buffer; contentType: string }[]> {
  return [
    // The size of the plant photo in ImageKit's crop documentation, so its examples can be checked here.
    { name: 'sample/plant.jpg', body: await (await photoLike(640, 865, 1)).jpeg({ quality: 90 }).toBuffer(), contentType: 'image/jpeg' },
    { name: 'sample/landscape.jpg', body: await (await photoLike(1920, 1280, 2)).jpeg({ quality: 90 }).toBuffer(), contentType: 'image/jpeg' },
    // Stored 600x400 with EXIF orientation 6: viewers (and this server) show it 400x600.
    { name: 'sample/rotated.jpg', body: await (await photoLike(600, 400, 3)).withMetadata({ orientation: 6 }).jpeg().toBuffer(), contentType: 'image/jpeg' },
    { name: 'sample/logo.png', body: await transparentPng(512), contentType: 'image/png' },
  ];
}
