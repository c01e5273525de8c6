/**
 * The settings are listed in three places: the schema (shared/settings.ts), the table in docs/settings.md (with
 * the limits' defaults in the table of docs/security.md, "Limits") and local.settings.json.example. They must
 * name the same settings and state the same defaults.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSettings, settingNames } from '../../shared/settings';

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** Rows of the first markdown table under `heading` (or of the whole file), as cells. */
function tableRows(markdown: string, heading?: string): string[][] {
  const start = heading === undefined ? 0 : `\n${markdown}`.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no heading ${heading}`);
  const lines = markdown.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(' | ').map((c) => c.trim()));
  }
  return rows;
}

const names = (cell: string) => [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]);

/** A default stated as a value: the leading backticked literal or number of the cell, if any. */
function statedDefault(cell: string): string | undefined {
  return /^`([^`<]*)`/.exec(cell)?.[1] ?? /^(\d+)\b/.exec(cell)?.[1];
}

// Settings the Functions host reads, not the app (docs/local-development.md).
const hostSettings = ['FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobsStorage', 'PURGE_QUEUE_CONNECTION'];
// Defaults computed at start, stated in words in the docs.
const computedDefaults: Record<string, string> = { MAX_CONCURRENT_TRANSFORMS: 'twice the CPU cores' };

const schemaDefaults: Record<string, unknown> = parseSettings({ PRIVATE_API_KEY: 'x'.repeat(16), STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' });
delete schemaDefaults.PRIVATE_API_KEY;
delete schemaDefaults.STORAGE_CONNECTION_STRING;

const docRows = tableRows(read('docs/settings.md'), '# Settings');
const limitRows = tableRows(read('docs/security.md'), '## Limits');
/** Every documented setting with its default cell; a grouped row that points at Limits takes the Limits table's. */
const documented = new Map<string, string>();
for (const [nameCell, defaultCell] of docRows) {
  for (const name of names(nameCell)) documented.set(name, defaultCell);
}
for (const [, settingCell, defaultCell] of limitRows) {
  for (const name of names(settingCell)) if (/Limits/.test(documented.get(name) ?? '')) documented.set(name, defaultCell);
}
const example = JSON.parse(read('local.settings.json.example')) as { Values: Record<string, string> };

describe('settings: schema, docs/settings.md and local.settings.json.example agree', () => {
  it('every setting of the schema is documented, and nothing else is', () => {
    expect(settingNames.length).toBeGreaterThan(40);
    expect(settingNames.filter((n) => !documented.has(n))).toEqual([]);
    expect([...documented.keys()].filter((n) => !(settingNames as string[]).includes(n))).toEqual([]);
  });

  it('every setting of the schema is in local.settings.json.example, and nothing else but the host\'s', () => {
    const keys = Object.keys(example.Values);
    expect(settingNames.filter((n) => !keys.includes(n))).toEqual([]);
    expect(keys.filter((k) => !(settingNames as string[]).includes(k) && !hostSettings.includes(k))).toEqual([]);
  });

  it('the documented defaults are the schema\'s', () => {
    const compared: string[] = [];
    const wrong: string[] = [];
    for (const [name, value] of Object.entries(schemaDefaults)) {
      if (value === undefined) continue;
      const cell = documented.get(name) ?? '';
      if (name in computedDefaults) {
        if (!cell.includes(computedDefaults[name])) wrong.push(`${name}: docs say "${cell}"`);
        continue;
      }
      const stated = statedDefault(cell);
      compared.push(name);
      if (stated !== String(value)) wrong.push(`${name}: docs say "${cell}", schema ${String(value)}`);
    }
    expect(wrong).toEqual([]);
    expect(compared.length).toBeGreaterThan(35);
  });

  it('local.settings.json.example holds the default where it sets a value', () => {
    const wrong = Object.entries(schemaDefaults)
      .filter(([name, value]) => value !== undefined && !(name in computedDefaults))
      .filter(([name, value]) => example.Values[name] !== '' && example.Values[name] !== String(value))
      .map(([name, value]) => `${name}: example ${example.Values[name]}, schema ${String(value)}`);
    expect(wrong).toEqual([]);
  });
});
