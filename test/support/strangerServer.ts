/**
 * A loopback HTTP server standing for "somewhere else" (an attacker's host, a proxy, a wrong root): it records every
 * request it gets, so a test can prove that nothing, and no token, went there.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StrangerServer {
  readonly origin: string;
  /** `METHOD url authorization` of every request received. */
  readonly requests: readonly string[];
  close(): void;
}

export async function startStrangerServer(): Promise<StrangerServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => server.close() };
}
