import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  /** `http://<host>:<port>`, or `https://` with TLS */
  url: string;
  port: number;
  /** TCP connections accepted: proves whether anything reached the server at all. */
  connections: number;
  requests: { url: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on a loopback address and a free port, counting connections and recording requests; with
 * `tls` (key and certificate), an HTTPS server.
 */
export async function startLoopbackServer(handler: http.RequestListener, host = '127.0.0.1', tls?: https.ServerOptions): Promise<LoopbackServer> {
  const record: http.RequestListener = (req, res) => {
    state.requests.push({ url: req.url ?? '', headers: req.headers });
    handler(req, res);
  };
  const server = tls ? https.createServer(tls, record) : http.createServer(record);
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const state: LoopbackServer = {
    url: `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
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
