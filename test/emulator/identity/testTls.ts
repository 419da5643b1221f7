/**
 * TLS material for the identity emulator, made at test start with the `openssl` CLI: a throw-away certificate
 * authority, a server certificate for `localhost`, `127.0.0.1` and `127.0.0.2` (a loopback address VS Code's proxy
 * support does not treat as local, for proxy tests) signed by it, and (for app-only sign-in) a self-signed
 * client certificate. Nothing here is ever trusted globally: in-process clients get the CA through MSAL's network
 * client, child processes and the VS Code extension host through `NODE_EXTRA_CA_CERTS`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestTls {
  readonly dir: string;
  /** PEM of the test CA; also written to `caFile` for `NODE_EXTRA_CA_CERTS`. */
  readonly caCert: string;
  readonly caFile: string;
  readonly serverKey: string;
  readonly serverCert: string;
}

export interface TestClientCertificate {
  /** Private key followed by the certificate, the way the CLI and the extension read a PEM file. */
  readonly pemFile: string;
  readonly certificate: string;
  readonly privateKey: string;
}

/** Environment variable through which launchers hand prepared TLS material to test code in other processes. */
export const TEST_TLS_DIR_ENV = 'AUTOPILOT_TEST_TLS_DIR';

const FILES = { caCert: 'ca.pem', caKey: 'ca.key', serverKey: 'server.key', serverCert: 'server.pem' } as const;

function openssl(args: readonly string[], cwd: string): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.error) {
    throw new Error(`The tests make their TLS certificates with the openssl CLI, which could not run (${result.error.message}). Install it (Debian: apt-get install openssl).`);
  }
  if (result.status !== 0) {
    throw new Error(`openssl ${args.join(' ')} failed:\n${result.stderr}`);
  }
}

/** Makes a fresh CA and a server certificate in `dir` (a new temporary folder by default). */
export function createTestTls(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-tls-'))): TestTls {
  fs.mkdirSync(dir, { recursive: true });
  const days = '3';
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', days, '-keyout', FILES.caKey, '-out', FILES.caCert,
      '-subj', '/CN=Autopilot Devices Test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-keyout', FILES.serverKey, '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  fs.writeFileSync(
    path.join(dir, 'server.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:127.0.0.2\n',
  );
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', FILES.caCert, '-CAkey', FILES.caKey, '-CAcreateserial', '-sha256', '-days', days,
      '-extfile', 'server.ext', '-out', FILES.serverCert],
    dir,
  );
  return loadTestTls(dir);
}

/** Reads TLS material an earlier `createTestTls` wrote (for example the launcher, for tests inside VS Code). */
export function loadTestTls(dir: string): TestTls {
  const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
  return {
    dir,
    caCert: read(FILES.caCert),
    caFile: path.join(dir, FILES.caCert),
    serverKey: read(FILES.serverKey),
    serverCert: read(FILES.serverCert),
  };
}

/** The launcher's material when tests run under it, else fresh material (trusted only where passed explicitly). */
export function testTlsFromEnvironment(): TestTls {
  const dir = process.env[TEST_TLS_DIR_ENV];
  return dir ? loadTestTls(dir) : createTestTls();
}

/** A self-signed certificate with its private key in one PEM file, as an app registration's credential. */
export function createClientCertificate(dir: string, name = 'autopilot-app'): TestClientCertificate {
  fs.mkdirSync(dir, { recursive: true });
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${name}`],
    dir,
  );
  const privateKey = fs.readFileSync(path.join(dir, `${name}.key`), 'utf8');
  const certificate = fs.readFileSync(path.join(dir, `${name}.crt`), 'utf8');
  const pemFile = path.join(dir, `${name}.pem`);
  fs.writeFileSync(pemFile, privateKey + certificate);
  return { pemFile, certificate, privateKey };
}
