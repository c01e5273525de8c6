import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './azurite';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');
/** The project compiled as `npm run build` compiles it, into `<a new temporary folder>/dist`, with host.json beside it as in a package. */
async function buildApp(): Promise<string> {
  const folder = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ik-app-'));
  await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json'), '--outDir', path.join(folder, 'dist')]);
  await fs.promises.copyFile(path.join(root, 'host.json'), path.join(folder, 'host.json'));
  return folder;
}

export interface AppProcess {
  url: string;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * The local host (`dev/main.js`, what `npm start` runs) in a process of its own, for what Node reads only when a
 * process starts, such as NODE_EXTRA_CA_CERTS. `env` must name STORAGE_CONNECTION_STRING and PRIVATE_API_KEY.
 */
export async function startAppProcess(env: Record<string, string>): Promise<AppProcess> {
  const folder = await buildApp();
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(folder, 'dist', 'dev', 'main.js')], {
    // The compiled files live outside the repository; they load its node_modules.
    env: { ...process.env, ...env, NODE_PATH: path.join(root, 'node_modules'), PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (data: Buffer) => {
      printed += data.toString();
      if (/listening on/.test(printed)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the app exited (${code}) before listening: ${printed.slice(-1000)}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => printed,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      await fs.promises.rm(folder, { recursive: true, force: true });
    },
  };
}
