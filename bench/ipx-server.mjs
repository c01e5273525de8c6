// The peer for the benchmark: ipx reading originals over HTTP from the same blob store as the app.
// Usage: node bench/ipx-server.mjs <port>; prints "ready" once listening on 127.0.0.1.
import http from 'node:http';
import { createIPX, createIPXNodeServer, ipxHttpStorage } from 'ipx';

const port = Number(process.argv[2]);
const ipx = createIPX({ httpStorage: ipxHttpStorage({ allowAllDomains: true }) });
http.createServer(createIPXNodeServer(ipx)).listen(port, '127.0.0.1', () => console.log('ready'));
