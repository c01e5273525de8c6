import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { IkError, notFound } from '../../shared/http/errors';
import { builtInNames } from '../../shared/transform/fonts';
import { parseTransformation } from '../../shared/transform/grammar/parse';
import { canonicalTransformation } from '../../shared/transform/grammar/print';
import { render, type RenderOptions } from '../../shared/transform/render';
import { inkOf } from '../helpers/ink';
import { renderOptions } from '../helpers/settings';

const fontFiles = new Map<string, Buffer>();
const options: RenderOptions = renderOptions({
  loadLayer: async (file) => {
    const body = fontFiles.get(file);
    if (!body) throw notFound(`"${file}" was not found`);
    return body;
  },
});

/** Dark pixels and the right edge of the ink of a text layer drawn at the top left of a white 800x120 image. */
const ink = (layer: string) => inkOf(`l-text,${layer},lx-0,ly-0,l-end`, options);

async function refusal(layer: string): Promise<string> {
  const white = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#ffffff' } }).png().toBuffer();
  try {
    await render(white, parseTransformation(`l-text,${layer},l-end`), options);
  } catch (error) {
    if (error instanceof IkError) return `${error.status} ${error.code} ${error.message}`;
    throw error;
  }
  throw new Error('expected a refusal');
}

const shipped = (pkg: string, file: string) => fs.readFileSync(path.join(path.dirname(require.resolve(`@expo-google-fonts/${pkg}/package.json`)), file));

/** Monoton with its family renamed (same length, so the name table stays valid): a font no system has. */
const brand = () => {
  const ttf = Buffer.from(shipped('monoton', '400Regular/Monoton_400Regular.ttf'));
  for (const [from, to] of [[Buffer.from('Monoton', 'latin1'), Buffer.from('Brandxy', 'latin1')], [Buffer.from('Monoton', 'utf16le').swap16(), Buffer.from('Brandxy', 'utf16le').swap16()]]) {
    for (let at = ttf.indexOf(from); at >= 0; at = ttf.indexOf(from, at + 1)) to.copy(ttf, at);
  }
  return ttf;
};

/** A TrueType file wrapped as WOFF 1.0, each table deflated. */
function toWoff(ttf: Buffer): Buffer {
  const count = ttf.readUInt16BE(4);
  const header = Buffer.alloc(44 + count * 20);
  header.write('wOFF', 0, 'latin1');
  ttf.copy(header, 4, 0, 4);
  header.writeUInt16BE(count, 12);
  const bodies: Buffer[] = [];
  let offset = header.length;
  for (let i = 0; i < count; i++) {
    const at = 12 + i * 16;
    const table = ttf.subarray(ttf.readUInt32BE(at + 8), ttf.readUInt32BE(at + 8) + ttf.readUInt32BE(at + 12));
    const packed = deflateSync(table);
    const stored = packed.length < table.length ? packed : table;
    ttf.copy(header, 44 + i * 20, at, at + 4);
    header.writeUInt32BE(offset, 48 + i * 20);
    header.writeUInt32BE(stored.length, 52 + i * 20);
    header.writeUInt32BE(table.length, 56 + i * 20);
    header.writeUInt32BE(ttf.readUInt32BE(at + 4), 60 + i * 20);
    const padded = Buffer.alloc(Math.ceil(stored.length / 4) * 4);
    stored.copy(padded);
    bodies.push(padded);
    offset += padded.length;
  }
  const woff = Buffer.concat([header, ...bodies]);
  woff.writeUInt32BE(woff.length, 8);
  return woff;
}

describe('text layer fonts: shipped, custom, never the host', () => {
  it('two built-in fonts draw different glyph widths; names match as ImageKit writes them', async () => {
    const roboto = await ink('i-Hello%20World,fs-40,ff-Roboto');
    const monoton = await ink('i-Hello%20World,fs-40,ff-Monoton');
    expect(roboto.ink).toBeGreaterThan(300);
    expect(Math.abs(monoton.right - roboto.right)).toBeGreaterThan(40);
    expect(await ink('i-Hello%20World,fs-40,ff-roboto')).toEqual(roboto);
    expect(await ink('i-Hello%20World,fs-40,ff-Open_Sans')).toEqual(await ink('i-Hello%20World,fs-40'));
    expect(await ink('i-Hello%20World,fs-40,ff-PT_Serif')).toEqual(await ink('i-Hello%20World,fs-40,ff-PT%20Serif'));
  });

  it.each(builtInNames())('the built-in font %s draws ink', async (name) => {
    expect((await ink(`i-Hello,fs-40,ff-${encodeURIComponent(name)}`)).ink).toBeGreaterThan(100);
  });

  it('bold uses the bold face: wider strokes than regular', async () => {
    expect((await ink('i-Hello,fs-40,ff-Roboto,tg-b')).ink).toBeGreaterThan((await ink('i-Hello,fs-40,ff-Roboto')).ink * 1.2);
  });

  it('draws ink with no system fonts at all (fontconfig given an empty configuration)', async () => {
    const config = path.join(os.tmpdir(), `empty-fontconfig-${process.pid}.xml`);
    fs.writeFileSync(config, '<?xml version="1.0"?><fontconfig></fontconfig>');
    const script = path.join(__dirname, '..', 'helpers', 'text-without-system-fonts.js');
    const { stdout } = await promisify(execFile)(process.execPath, [script, 'l-text,i-Hello,fs-40,l-end', 'l-text,i-Hello,fs-40,ff-Lobster,l-end'], {
      env: { ...process.env, FONTCONFIG_FILE: config },
    });
    const [plain, lobster] = JSON.parse(stdout) as { ink: number; right: number }[];
    expect(plain.ink).toBeGreaterThan(300);
    expect(lobster.ink).toBeGreaterThan(300);
    expect(lobster.right).not.toBe(plain.right);
  });

  it('a custom font from the origins (ff-<path>@@<file>.ttf or .woff) draws in its own glyphs', async () => {
    fontFiles.set('fonts/Brand.ttf', brand());
    fontFiles.set('fonts/Brand.woff', toWoff(brand()));
    const custom = await ink('i-Hello%20World,fs-40,ff-fonts@@Brand.ttf');
    // Monoton's glyphs under another name: it can only have come from the file.
    expect(custom).toEqual(await ink('i-Hello%20World,fs-40,ff-Monoton'));
    expect(custom.right).not.toBe((await ink('i-Hello%20World,fs-40')).right);
    expect(await ink('i-Hello%20World,fs-40,ff-@@fonts@@Brand.woff')).toEqual(custom);
    expect(canonicalTransformation(parseTransformation('l-text,i-Hi,ff-@@fonts@@Brand.ttf,l-end'))).toBe('l-text,i-Hi,ff-fonts@@Brand.ttf,l-end');
  });

  it('refuses missing, unreadable, WOFF2, oversized and escaping font files, and unknown families, naming them', async () => {
    expect(await refusal('i-Hi,ff-fonts@@Missing.ttf')).toBe('404 ENOENT "fonts/Missing.ttf" was not found');
    fontFiles.set('fonts/NotAFont.ttf', Buffer.from('<html>not a font</html>'));
    expect(await refusal('i-Hi,ff-fonts@@NotAFont.ttf')).toMatch(/^400 EBADPARAM The font "fonts\/NotAFont.ttf" is not a TrueType/);
    fontFiles.set('fonts/Brand.woff2', Buffer.concat([Buffer.from('wOF2'), Buffer.alloc(100)]));
    expect(await refusal('i-Hi,ff-fonts@@Brand.woff2')).toMatch(/^400 EUNSUPPORTED .*WOFF2/);
    fontFiles.set('fonts/Huge.ttf', Buffer.alloc(10 * 1024 * 1024 + 1));
    expect(await refusal('i-Hi,ff-fonts@@Huge.ttf')).toMatch(/^400 ELIMIT The font "fonts\/Huge.ttf"/);
    expect(await refusal('i-Hi,ff-fonts@@..@@secret.ttf')).toMatch(/^400 EBADPARAM .*"ff"/);
    expect(await refusal('i-Hi,ff-fonts@@Brand.exe')).toMatch(/^400 EBADPARAM .*\.ttf, \.otf, \.woff or \.woff2/);
    expect(await refusal('i-Hi,ff-NoSuchFamily')).toMatch(/^400 EUNSUPPORTED Font "ff-NoSuchFamily" is neither one of ImageKit's built-in fonts \(AbrilFatFace/);
  });
});
