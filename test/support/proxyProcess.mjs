// A real forward proxy for the tests: the `proxy` package from npm (CONNECT tunnels and absolute-URI forwarding), in a
// process of its own. It opens its upstream connections from FORWARDED_FROM, so a server can tell a proxied request
// (from that address) from a direct one, and prints one JSON line per event on stdout:
//   {"event":"listening","port":N}   {"event":"connect","target":"host:port","authorized":true}
//   {"event":"request","method":"GET","url":"http://host:port/path","authorized":true}
// Usage: node proxyProcess.mjs [--credentials USER:PASSWORD] [--forwarded-from ADDRESS]
/* global process, Buffer */
import * as http from 'node:http';
import { createProxy } from 'proxy';

const argument = (name) => {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
};
const credentials = argument('--credentials');
const expected = credentials ? `Basic ${Buffer.from(credentials).toString('base64')}` : undefined;
const print = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const authorized = (req) => !expected || req.headers['proxy-authorization'] === expected;

const server = http.createServer();
server.on('connect', (req) => print({ event: 'connect', target: req.url, authorized: authorized(req) }));
server.on('request', (req) => print({ event: 'request', method: req.method, url: req.url, authorized: authorized(req) }));
createProxy(server);
server.localAddress = argument('--forwarded-from');
if (expected) server.authenticate = (req) => authorized(req);
server.listen(0, '127.0.0.1', () => print({ event: 'listening', port: server.address().port }));
process.on('SIGTERM', () => process.exit(0));
