import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The request flows one way: functions -> delivery/manage -> cache, origins, transform -> security -> config -> http
 * -> settings. A module may import its own layer or one below it, never one above, and no chain of imports (type-only
 * ones included) may come back to where it started.
 */
const root = path.resolve(__dirname, '../..');

const LAYERS: [RegExp, number][] = [
  [/^functions\//, 0],
  [/^shared\/(delivery|manage|console)\/|^shared\/(health|startup)\.ts$/, 1],
  [/^shared\/(cache|origins|transform)\//, 2],
  [/^shared\/security\//, 3],
  [/^shared\/config\//, 4],
  [/^shared\/http\//, 5],
  [/^shared\/(settings|storage|identity)\.ts$/, 6],
];

function layer(file: string): number {
  const found = LAYERS.find(([pattern]) => pattern.test(file));
  if (!found) throw new Error(`${file} belongs to no layer: add it to LAYERS`);
  return found[1];
}

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sources(relative);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

/** Module names a source file imports: import and export declarations (type-only ones too), `import()` and `require()`. */
function specifiers(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.ES2022, false);
  const names: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      names.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteral(argument)) names.push(argument.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      names.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

/** The project files a source file imports, as paths from the repository root. */
function importsOf(file: string): string[] {
  return specifiers(file)
    .filter((name) => name.startsWith('.'))
    .map((name) => {
      const target = path.relative(root, path.resolve(path.dirname(path.join(root, file)), name));
      if (fs.existsSync(path.join(root, `${target}.ts`))) return `${target}.ts`;
      if (fs.existsSync(path.join(root, target, 'index.ts'))) return `${target}/index.ts`;
      throw new Error(`${file} imports ${name}, which resolves to no .ts file`);
    });
}

const files = [...sources('functions'), ...sources('shared')];
const graph = new Map(files.map((file) => [file, importsOf(file)]));

/** Every cycle, each as the path of files that closes it. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found;
}

describe('import layering of functions/ and shared/', () => {
  it('reads the imports it checks', () => {
    // A walker that found nothing would pass everything.
    expect(graph.get('shared/transform/render.ts')).toContain('shared/transform/grammar/model.ts');
    expect(graph.get('shared/delivery/handler.ts')?.length).toBeGreaterThan(10);
  });

  it('has no import cycle', () => {
    expect(cycles().map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('has no module importing one from a layer above it', () => {
    const upward = [...graph].flatMap(([file, targets]) => targets.filter((target) => layer(target) < layer(file)).map((target) => `${file} -> ${target}`));
    expect(upward).toEqual([]);
  });

  it('keeps every grammar module under about 300 lines', () => {
    const long = sources('shared/transform/grammar').filter((file) => fs.readFileSync(path.join(root, file), 'utf8').split('\n').length > 300);
    expect(long).toEqual([]);
  });
});
