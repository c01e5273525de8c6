import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import path from 'node:path';

/** Azurite's documented development account; it is public and only valid against Azurite. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  blobPort: number;
  queuePort: number;
  tablePort: number;
  /** Folder for persistent data; without it Azurite keeps everything in memory. */
  location?: string;
  /** HTTPS with this certificate and key (PEM files), and bearer tokens accepted besides the account key. */
  tls?: { certPath: string; keyPath: string };
}

export interface RunningAzurite {
  connectionString: string;
  blobEndpoint: string;
  queueEndpoint: string;
  tableEndpoint: string;
  /** The Azurite process, for fault tests that pause (SIGSTOP) or kill it. */
  pid: number;
  stop(): Promise<void>;
}

function waitForPort(port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve();
      });
      socket.on('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`Azurite did not listen on 127.0.0.1:${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A fresh in-memory Azurite on free loopback ports, for tests and benchmarks. A port found free can be taken by
 * another process before Azurite binds it (test files start in parallel), so that case tries other ports.
 */
export async function startEphemeralAzurite(tls?: AzuriteOptions['tls']): Promise<RunningAzurite> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAzurite({ blobPort: await freePort(), queuePort: await freePort(), tablePort: await freePort(), tls });
    } catch (error) {
      if (attempt >= 5 || !/EADDRINUSE/.test(String(error))) throw error;
    }
  }
}

/** Starts Azurite (blob, queue, table) from node_modules on loopback, offline. */
export async function startAzurite(options: AzuriteOptions): Promise<RunningAzurite> {
  const script = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
  const args = [
    script,
    // Telemetry would try to reach the internet; the SDK speaks a newer API version than this Azurite knows.
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
    '--blobHost', '127.0.0.1', '--blobPort', String(options.blobPort),
    '--queueHost', '127.0.0.1', '--queuePort', String(options.queuePort),
    '--tableHost', '127.0.0.1', '--tablePort', String(options.tablePort),
    ...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']),
    // `basic` checks a token's lifetime, issuer and audience, not its signature: enough for a local identity stand-in.
    ...(options.tls ? ['--cert', options.tls.certPath, '--key', options.tls.keyPath, '--oauth', 'basic'] : []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`Azurite exited (${code}): ${stderr.trim()}`))));
  const deadline = Date.now() + 30_000;
  await Promise.race([Promise.all([waitForPort(options.blobPort, deadline), waitForPort(options.queuePort, deadline), waitForPort(options.tablePort, deadline)]), exited]);
  exited.catch(() => undefined);

  const scheme = options.tls ? 'https' : 'http';
  const blobEndpoint = `${scheme}://127.0.0.1:${options.blobPort}/${AZURITE_ACCOUNT}`;
  const queueEndpoint = `${scheme}://127.0.0.1:${options.queuePort}/${AZURITE_ACCOUNT}`;
  const tableEndpoint = `${scheme}://127.0.0.1:${options.tablePort}/${AZURITE_ACCOUNT}`;
  return {
    blobEndpoint,
    queueEndpoint,
    tableEndpoint,
    pid: child.pid!,
    connectionString:
      `DefaultEndpointsProtocol=${scheme};AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
      `BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};TableEndpoint=${tableEndpoint};`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
