/**
 * What `func azure functionapp publish` would upload, offline: the files each `.funcignore` lets through, for the
 * remote build (the repository) and for a local build (`npm run package`'s folder, published with `--no-build`).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { publishedFiles, stagePackage } from '../../dev/package';

const root = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

describe('remote build: the repository as published with --build remote', () => {
  const files = publishedFiles(root);

  it('uploads the sources the platform compiles and installs from', () => {
    for (const file of ['host.json', 'package.json', 'package-lock.json', 'tsconfig.json', 'functions/delivery.ts', 'functions/edge-purge.ts', 'shared/settings.ts']) expect(files).toContain(file);
    // `npm run build` copies the console's files into dist next to the module that serves them.
    for (const file of fs.readdirSync(path.join(root, 'shared/console/static'))) expect(files).toContain(`shared/console/static/${file}`);
    expect(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.build).toContain("cpSync('shared/console/static', 'dist/shared/console/static'");
  });

  it('leaves out dependencies, builds, local settings, tests, tooling and infra', () => {
    const unwanted = /^(node_modules|dist|\.package|\.data|test|dev|bench|infra|\.git|\.github)\/|^local\.settings\.json|\.js\.map$/;
    expect(files.filter((f) => unwanted.test(f))).toEqual([]);
  });
});

describe('local build: npm run package, published with --no-build', () => {
  let folder: string;
  let files: string[];
  beforeAll(async () => {
    folder = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ik-package-'));
    const dist = path.join(folder, 'dist');
    await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json'), '--outDir', dist]);
    // Installing would need the registry; what the install adds is node_modules/ alone.
    stagePackage({ root, dist, out: path.join(folder, 'package'), install: false });
    files = publishedFiles(path.join(folder, 'package'));
  }, 120_000);
  afterAll(() => fs.promises.rm(folder, { recursive: true, force: true }));

  it('uploads host.json, the package files and the compiled functions with everything they load', () => {
    expect(files.filter((f) => !f.startsWith('dist/'))).toEqual(['host.json', 'package-lock.json', 'package.json']);
    const main = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string }).main;
    expect(main).toBe('dist/functions/*.js');
    const entries = files.filter((f) => /^dist\/functions\/[^/]+\.js$/.test(f));
    expect(entries).toEqual(fs.readdirSync(path.join(root, 'functions')).map((f) => `dist/functions/${f.replace(/\.ts$/, '.js')}`).sort());
    // Every relative require of every uploaded file is uploaded too.
    const missing: string[] = [];
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      for (const [, target] of fs.readFileSync(path.join(folder, 'package', file), 'utf8').matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
        const resolved = path.posix.join(path.posix.dirname(file), target);
        if (![`${resolved}.js`, `${resolved}/index.js`, resolved].some((f) => files.includes(f))) missing.push(`${file} -> ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('ships the web console\'s page, scripts and styles next to the module that serves them', () => {
    const assets = fs.readdirSync(path.join(root, 'shared/console/static')).map((f) => `dist/shared/console/static/${f}`);
    expect(assets).toEqual(expect.arrayContaining(['dist/shared/console/static/index.html', 'dist/shared/console/static/app.js']));
    expect(files).toEqual(expect.arrayContaining([...assets, 'dist/shared/console/serve.js', 'dist/functions/console.js']));
  });

  it('leaves out source maps, tests, the local host and the benchmarks', () => {
    expect(files.filter((f) => /\.map$|^dist\/(test|dev|bench)\//.test(f))).toEqual([]);
  });
});
