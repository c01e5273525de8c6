import { createServer } from 'node:net';
import { startAzurite, type RunningAzurite } from '../../dev/azurite';

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

/** A fresh in-memory Azurite on free loopback ports. */
export async function startTestAzurite(): Promise<RunningAzurite> {
  return startAzurite({ blobPort: await freePort(), queuePort: await freePort(), tablePort: await freePort() });
}
