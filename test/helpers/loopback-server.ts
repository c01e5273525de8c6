import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  /** `http://<host>:<port>` */
  url: string;
  port: number;
  /** TCP connections accepted: proves whether anything reached the server at all. */
  connections: number;
  requests: { url: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** A real HTTP server on a loopback address and a free port, counting connections and recording requests. */
export async function startLoopbackServer(handler: http.RequestListener, host = '127.0.0.1'): Promise<LoopbackServer> {
  const server = http.createServer((req, res) => {
    state.requests.push({ url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const state: LoopbackServer = {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    connections: 0,
    requests: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return state;
}
