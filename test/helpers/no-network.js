// Preloaded (node -r) into a process whose every thread must not reach the network: each way out throws and is
// reported on stderr, so a test sees an attempt even when the code under test swallows the error.
const net = require('node:net');
const dns = require('node:dns');

function refuse(what) {
  process.stderr.write(`NETWORK ATTEMPT: ${what}\n`);
  throw new Error(`network access refused: ${what}`);
}

net.Socket.prototype.connect = function connect(...args) {
  const target = typeof args[0] === 'object' && args[0] !== null ? args[0].path ?? `${args[0].host}:${args[0].port}` : String(args[0]);
  refuse(`connect ${target}`);
};
dns.lookup = (host) => refuse(`dns ${host}`);
dns.promises.lookup = async (host) => refuse(`dns ${host}`);
globalThis.fetch = async (url) => refuse(`fetch ${url}`);
