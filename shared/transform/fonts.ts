import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { badParam, overLimit, unsupported } from '../http/errors';

/**
 * Fonts for text layers that do not depend on the host: ImageKit's built-in fonts ship as TTF files in
 * `@expo-google-fonts/*` packages (SIL Open Font License; Ubuntu Font Licence), and custom fonts come from the endpoint's
 * origins. Either way sharp draws with `fontfile`, so fontconfig needs no installed fonts and no configuration.
 */

/** A font pango can draw with: the family name inside the file, and the file. */
export interface Font {
  family: string;
  file: string;
}

/** The text style a font file is chosen for. */
export interface FontStyle {
  bold: boolean;
  italic: boolean;
}

/** ImageKit's built-in fonts: the name ImageKit documents, its npm package, and the family name inside the files. */
const BUILT_IN: readonly { name: string; pkg: string; family: string }[] = [
  { name: 'AbrilFatFace', pkg: 'abril-fatface', family: 'Abril Fatface' },
  { name: 'Amaranth', pkg: 'amaranth', family: 'Amaranth' },
  { name: 'Arvo', pkg: 'arvo', family: 'Arvo' },
  { name: 'Audiowide', pkg: 'audiowide', family: 'Audiowide' },
  { name: 'Chivo', pkg: 'chivo', family: 'Chivo' },
  { name: 'Crimson Text', pkg: 'crimson-text', family: 'Crimson Text' },
  { name: 'Exo', pkg: 'exo', family: 'Exo' },
  { name: 'Fredoka One', pkg: 'fredoka-one', family: 'Fredoka One' },
  { name: 'Gravitas One', pkg: 'gravitas-one', family: 'Gravitas One' },
  { name: 'Kanit', pkg: 'kanit', family: 'Kanit' },
  { name: 'Lato', pkg: 'lato', family: 'Lato' },
  { name: 'Lobster', pkg: 'lobster', family: 'Lobster' },
  { name: 'Lora', pkg: 'lora', family: 'Lora' },
  { name: 'Monoton', pkg: 'monoton', family: 'Monoton' },
  { name: 'Montserrat', pkg: 'montserrat', family: 'Montserrat' },
  { name: 'PT Mono', pkg: 'pt-mono', family: 'PT Mono' },
  { name: 'PT Serif', pkg: 'pt-serif', family: 'PT Serif' },
  { name: 'Open Sans', pkg: 'open-sans', family: 'Open Sans' },
  { name: 'Roboto', pkg: 'roboto', family: 'Roboto' },
  { name: 'Old Standard', pkg: 'old-standard-tt', family: 'Old Standard TT' },
  { name: 'Ubuntu', pkg: 'ubuntu', family: 'Ubuntu' },
  { name: 'Vollkorn', pkg: 'vollkorn', family: 'Vollkorn' },
];

/** The font text layers use without `ff`. */
export const DEFAULT_FONT = 'Open Sans';

/** `AbrilFatFace`, `abril_fat_face`, `Open%20Sans` and `open-sans` name the same font. */
const fontKey = (name: string) => name.toLowerCase().replace(/[\s_-]/g, '');

const builtInByKey = new Map(BUILT_IN.map((f) => [fontKey(f.name), f]));
// The file's own family name is accepted too (`ff-Old_Standard_TT`).
for (const f of BUILT_IN) builtInByKey.set(fontKey(f.family), f);

/** The files of each package's regular, bold, italic and bold italic faces, found once by their expo names. */
const packageFiles = new Map<string, string[]>();
function filesOf(pkg: string): string[] {
  let files = packageFiles.get(pkg);
  if (!files) {
    const dir = path.dirname(require.resolve(`@expo-google-fonts/${pkg}/package.json`));
    files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ttf')).map((f) => path.join(dir, f));
    packageFiles.set(pkg, files);
  }
  return files;
}

/**
 * A built-in font by its ImageKit name, in the face the style asks for when the package has it (pango slants and
 * emboldens the regular face otherwise); undefined for a name that is not built in.
 */
export function builtInFont(name: string, style: FontStyle): Font | undefined {
  const font = builtInByKey.get(fontKey(name));
  if (!font) return undefined;
  const files = filesOf(font.pkg);
  const face = `_${style.bold ? '700Bold' : '400Regular'}${style.italic ? '_Italic' : ''}.ttf`;
  const file = files.find((f) => f.endsWith(face)) ?? files.find((f) => f.endsWith('_400Regular.ttf'))!;
  return { family: font.family, file };
}

/** The built-in fonts' ImageKit names, for messages and docs/url-parameters.md. */
export const builtInNames = () => BUILT_IN.map((f) => f.name);

/** Largest custom font file accepted: CJK fonts run to several megabytes; beyond this it is not a reasonable text layer. */
export const MAX_FONT_BYTES = 10 * 1024 * 1024;
/** Extensions of the custom font files ImageKit accepts. */
export const FONT_FILE = /\.(ttf|otf|woff2?)$/i;

/** WOFF 1.0 unwrapped into the TrueType/OpenType file it carries (each table zlib-compressed or stored). */
function unwrapWoff(woff: Buffer): Buffer {
  const flavor = woff.readUInt32BE(4);
  const count = woff.readUInt16BE(12);
  const tables: { tag: Buffer; checksum: number; data: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    const at = 44 + i * 20;
    const [offset, compressed, length] = [woff.readUInt32BE(at + 4), woff.readUInt32BE(at + 8), woff.readUInt32BE(at + 12)];
    const stored = woff.subarray(offset, offset + compressed);
    const data = compressed < length ? inflateSync(stored) : stored;
    if (data.length !== length) throw new Error('table length mismatch');
    tables.push({ tag: woff.subarray(at, at + 4), checksum: woff.readUInt32BE(at + 16), data });
  }
  const header = Buffer.alloc(12 + count * 16);
  header.writeUInt32BE(flavor, 0);
  header.writeUInt16BE(count, 4);
  const pieces: Buffer[] = [header];
  let offset = header.length;
  tables.forEach((t, i) => {
    t.tag.copy(header, 12 + i * 16);
    header.writeUInt32BE(t.checksum, 16 + i * 16);
    header.writeUInt32BE(offset, 20 + i * 16);
    header.writeUInt32BE(t.data.length, 24 + i * 16);
    const padded = Buffer.alloc(Math.ceil(t.data.length / 4) * 4);
    t.data.copy(padded);
    pieces.push(padded);
    offset += padded.length;
  });
  return Buffer.concat(pieces);
}

/** The family name in a TrueType/OpenType `name` table (Windows UTF-16 or Mac Roman records), which pango matches. */
function familyName(sfnt: Buffer): string | undefined {
  const count = sfnt.readUInt16BE(4);
  for (let i = 0; i < count; i++) {
    const at = 12 + i * 16;
    if (sfnt.toString('latin1', at, at + 4) !== 'name') continue;
    const table = sfnt.readUInt32BE(at + 8);
    const records = sfnt.readUInt16BE(table + 2);
    const strings = table + sfnt.readUInt16BE(table + 4);
    const names: { platform: number; value: string }[] = [];
    for (let r = 0; r < records; r++) {
      const rec = table + 6 + r * 12;
      const [platform, nameId, length, offset] = [sfnt.readUInt16BE(rec), sfnt.readUInt16BE(rec + 6), sfnt.readUInt16BE(rec + 8), sfnt.readUInt16BE(rec + 10)];
      if (nameId !== 1) continue;
      const bytes = sfnt.subarray(strings + offset, strings + offset + length);
      names.push({ platform, value: platform === 3 || platform === 0 ? Buffer.from(bytes).swap16().toString('utf16le') : bytes.toString('latin1') });
    }
    return (names.find((n) => n.platform === 3) ?? names[0])?.value;
  }
  return undefined;
}

const fontDir = path.join(os.tmpdir(), 'imagekit-fonts');
/** Custom fonts already written out, by content hash: each distinct file is written and registered once per instance. */
const written = new Map<string, Font>();

/**
 * A custom font from the origins (`ff-fonts@@Brand.ttf`): checked, unwrapped from WOFF, written to a file named by
 * its content hash, and named by its own family. 400 when it is too large, WOFF2 (libvips' FreeType has no Brotli),
 * or not a font.
 */
export function customFont(name: string, body: Buffer): Font {
  if (body.length > MAX_FONT_BYTES) throw overLimit(`The font "${name}" is ${body.length} bytes; at most ${MAX_FONT_BYTES} are allowed`);
  const signature = body.toString('latin1', 0, 4);
  if (signature === 'wOF2') throw unsupported(`The font "${name}" is WOFF2, which this server cannot read; use TTF, OTF or WOFF`);
  const hash = createHash('sha256').update(body).digest('hex');
  const known = written.get(hash);
  if (known) return known;
  let sfnt = body;
  let family: string | undefined;
  try {
    sfnt = signature === 'wOFF' ? unwrapWoff(body) : body;
    family = ['\x00\x01\x00\x00', 'OTTO', 'true'].includes(sfnt.toString('latin1', 0, 4)) ? familyName(sfnt) : undefined;
  } catch {
    family = undefined;
  }
  if (!family) throw badParam(`The font "${name}" is not a TrueType, OpenType or WOFF font`);
  fs.mkdirSync(fontDir, { recursive: true });
  const file = path.join(fontDir, `${hash}.${sfnt.toString('latin1', 0, 4) === 'OTTO' ? 'otf' : 'ttf'}`);
  fs.writeFileSync(file, sfnt);
  const font = { family, file };
  written.set(hash, font);
  return font;
}
