import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { ikFailure as failure } from '../helpers/failure';
import { freePort } from '../helpers/azurite';
import { webFolderOrigin } from '../../shared/origins/web-folder';

/**
 * A loopback listener that never accepts: a child process listens with a backlog of one and then blocks its
 * event loop. Once the kernel's accept queue is full, new handshakes get no answer, which is what a firewalled
 * or overloaded origin looks like from here.
 */
async function unresponsiveListener(port: number): Promise<{ stop(): void }> {
  const script = `require('node:net').createServer().listen({ port: ${port}, host: '127.0.0.1', backlog: 1 }, () => {
    process.stdout.write('ready\\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
  });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  const fillers: Socket[] = [];
  for (let i = 0; i < 4; i++) fillers.push(connect(port, '127.0.0.1').on('error', () => undefined));
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    stop() {
      fillers.forEach((s) => s.destroy());
      child.kill('SIGKILL');
    },
  };
}

describe('connect timeout of web origins', () => {
  it('an origin that never completes the TCP handshake is ETIMEDOUT after ORIGIN_CONNECT_TIMEOUT_MS, before the total deadline', async () => {
    const port = await freePort();
    const listener = await unresponsiveListener(port);
    try {
      const origin = webFolderOrigin({ type: 'WEB_FOLDER', name: 'stuck', includeCanonicalHeader: false, baseUrl: `http://127.0.0.1:${port}/`, forwardHostHeaderToOrigin: false });
      const limits = { maxBytes: 1000, connectTimeoutMs: 300, timeoutMs: 20_000, allowPrivateAddresses: true };
      const error = await failure(origin.fetch('a.png', { limits, proxyAllowed: false }));
      expect(error).toMatchObject({ status: 504, code: 'ETIMEDOUT' });
      expect(error.message).toMatch(/connect/i);
    } finally {
      listener.stop();
    }
  });
});
