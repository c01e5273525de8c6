import type ImageKit from '@imagekit/nodejs';
import { startLoopbackServer, type LoopbackServer } from './loopback-server';

export interface HeldFile {
  /** Settles when the app has asked for the file, which it is not given yet. */
  requested: Promise<void>;
  release(): void;
}

export interface HoldingOrigin {
  server: LoopbackServer;
  /** From now on, `name` is answered only once released: a request that needs it stays in flight meanwhile. */
  hold(name: string): HeldFile;
}

/**
 * A WEB_FOLDER origin on loopback serving `files` (404 for others), made the default endpoint's only origin. A held
 * file keeps its request waiting: the download of an original or an image layer stays in flight for as long as a
 * test needs, without timing anything.
 */
export async function startHoldingOrigin(client: ImageKit, files: Record<string, { body: Buffer; type: string }>): Promise<HoldingOrigin> {
  const held = new Map<string, { gate: Promise<void>; asked(): void }>();
  const server = await startLoopbackServer(async (req, res) => {
    const name = decodeURIComponent((req.url ?? '/').slice(1));
    const hold = held.get(name);
    if (hold) {
      hold.asked();
      await hold.gate;
    }
    const file = files[name];
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length }).end(file.body);
  });
  const origin = await client.accounts.origins.create({ type: 'WEB_FOLDER', name: 'Holding', baseUrl: server.url });
  await client.accounts.urlEndpoints.update('default', { description: 'Default', origins: [origin.id] });
  return {
    server,
    hold(name) {
      let asked!: () => void;
      let release!: () => void;
      const requested = new Promise<void>((resolve) => (asked = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      held.set(name, { gate, asked });
      return {
        requested,
        release: () => {
          held.delete(name);
          release();
        },
      };
    },
  };
}
