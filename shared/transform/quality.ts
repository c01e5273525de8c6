import type { OutputFormat } from './grammar/model';

/** The JPEG standard's luminance quantisation table (Annex K), which libjpeg scales by quality. */
const STANDARD_LUMINANCE = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35,
  55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/** The luminance (id 0) quantisation table of a JPEG, read from its DQT segments before the first scan. */
function luminanceTable(jpeg: Buffer): number[] | undefined {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= jpeg.length) {
    if (jpeg[at] !== 0xff) return undefined;
    const marker = jpeg[at + 1];
    // Fill bytes before a marker.
    if (marker === 0xff) {
      at++;
      continue;
    }
    // Start of scan or end of image: the tables come before either.
    if (marker === 0xda || marker === 0xd9) return undefined;
    const length = jpeg.readUInt16BE(at + 2);
    if (marker === 0xdb) {
      for (let t = at + 4; t < at + 2 + length; ) {
        const precision = jpeg[t] >> 4;
        const values = Array.from({ length: 64 }, (_, i) => (precision ? jpeg.readUInt16BE(t + 1 + i * 2) : jpeg[t + 1 + i]));
        if ((jpeg[t] & 0x0f) === 0) return values;
        t += 1 + 64 * (precision ? 2 : 1);
      }
    }
    at += 2 + length;
  }
  return undefined;
}

/**
 * libjpeg's luminance table for a quality, baseline (entries 1 to 255), sorted: scaling keeps the order of the
 * entries, so sorted tables compare without knowing the file's zigzag order.
 */
function scaledTable(quality: number): number[] {
  const scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  return STANDARD_LUMINANCE.map((v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100)))).sort((a, b) => a - b);
}
const TABLES = Array.from({ length: 100 }, (_, i) => scaledTable(i + 1));

/**
 * The quality a JPEG was saved at: the libjpeg quality whose luminance table is nearest to the file's (exact for
 * files written by libjpeg and its descendants, close for other encoders); undefined without a table.
 */
export function jpegQuality(jpeg: Buffer): number | undefined {
  let table: number[] | undefined;
  try {
    table = luminanceTable(jpeg);
  } catch {
    return undefined;
  }
  if (!table) return undefined;
  table.sort((a, b) => a - b);
  const distance = (candidate: number[]) => candidate.reduce((sum, v, i) => sum + Math.abs(v - table![i]), 0);
  let best = 0;
  for (let q = 1; q < TABLES.length; q++) if (distance(TABLES[q]) < distance(TABLES[best])) best = q;
  return best + 1;
}

/**
 * The quality to encode at when the URL gives no `q`: the default, but never above a JPEG original's own quality
 * when the output is JPEG or WebP, so a low-quality original is not re-encoded into more bytes without more detail.
 */
export function defaultQuality(input: Buffer, inputFormat: string, output: OutputFormat, configured: number): number {
  if (inputFormat !== 'jpeg' || (output !== 'jpeg' && output !== 'webp')) return configured;
  return Math.min(configured, jpegQuality(input) ?? configured);
}
