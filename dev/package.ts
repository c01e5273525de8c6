import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * `.funcignore` rules as Core Tools reads them (gitignore syntax), for the patterns this project writes: a name or
 * `*` glob matches a file or folder at any depth, a trailing `/` only folders, a `/` inside anchors it to the root.
 */
function ignoreRule(pattern: string): (relative: string, isDirectory: boolean) => boolean {
  const directoryOnly = pattern.endsWith('/');
  const body = pattern.replace(/^\/|\/$/g, '');
  const anchored = body.includes('/');
  const regex = new RegExp(`^${body.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
  return (relative, isDirectory) => (!directoryOnly || isDirectory) && regex.test(anchored ? relative : path.posix.basename(relative));
}

/** The files `func azure functionapp publish` would upload from `folder`, by its `.funcignore`, as sorted relative paths. */
export function publishedFiles(folder: string): string[] {
  const ignoreFile = path.join(folder, '.funcignore');
  const rules = (fs.existsSync(ignoreFile) ? fs.readFileSync(ignoreFile, 'utf8') : '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map(ignoreRule);
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(folder, relative), { withFileTypes: true })) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const isDirectory = entry.isDirectory();
      if (rules.some((rule) => rule(child, isDirectory))) continue;
      if (isDirectory) walk(child);
      else found.push(child);
    }
  };
  walk('');
  return found.sort();
}

/** What a package built here needs at run time besides its dependencies. */
const PACKAGE_FILES = ['host.json', 'package.json', 'package-lock.json'];
const COMPILED_FOLDERS = ['functions', 'shared'];
/** Files the app reads at run time that tsc does not emit: the web console's page, scripts and styles. */
const STATIC_FOLDERS = ['shared/console/static'];
/** The package's own `.funcignore`: the repository's is for remote builds and leaves out `dist/` and `node_modules/`. */
const PACKAGE_FUNCIGNORE = ['*.js.map', 'local.settings.json', '.funcignore', ''].join('\n');

export interface StageOptions {
  /** The repository: host.json and the package files. */
  root: string;
  /** The compiled output (`npm run build`'s `dist`). */
  dist: string;
  /** The folder to publish from; replaced. */
  out: string;
  /** Install production dependencies with sharp's Linux x64 binaries, whatever this machine is. */
  install: boolean;
}

/**
 * A folder to publish with `func azure functionapp publish <app> --no-build` when the platform does not build:
 * compiled JavaScript, host.json, package files and (with `install`) production dependencies for Linux x64.
 */
export function stagePackage({ root, dist, out, install }: StageOptions): void {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  for (const file of PACKAGE_FILES) fs.copyFileSync(path.join(root, file), path.join(out, file));
  for (const folder of COMPILED_FOLDERS) fs.cpSync(path.join(dist, folder), path.join(out, 'dist', folder), { recursive: true });
  // From the sources, so a dist built by tsc alone still gets them (`npm run build` copies them too, for remote builds).
  for (const folder of STATIC_FOLDERS) fs.cpSync(path.join(root, folder), path.join(out, 'dist', folder), { recursive: true });
  fs.writeFileSync(path.join(out, '.funcignore'), PACKAGE_FUNCIGNORE);
  if (install) execFileSync('npm', ['ci', '--omit=dev', '--os=linux', '--cpu=x64', '--libc=glibc', '--no-audit', '--no-fund'], { cwd: out, stdio: 'inherit' });
}

/** `npm run package`: runs after `npm run build`, from `dist/dev`. */
if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  const out = path.join(root, '.package');
  stagePackage({ root, dist: path.join(root, 'dist'), out, install: true });
  console.log(`${publishedFiles(out).filter((f) => !f.startsWith('node_modules/')).join('\n')}\n(and node_modules/)`);
  console.log(`\nPublish it with: cd ${path.relative(process.cwd(), out) || '.'} && func azure functionapp publish <app> --no-build`);
}
