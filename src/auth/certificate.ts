/**
 * A client certificate for app-only sign-in, from one PEM file holding the private key and the certificate (what
 * `openssl pkcs12 -nodes` or Key Vault's PEM export produce). MSAL signs the client assertion with the key and names
 * the certificate by its SHA-256 thumbprint; the certificate chain goes along as `x5c`.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as l10n from '@vscode/l10n';
import { AuthFailure } from './authErrors';

export interface ClientCertificate {
  readonly privateKey: string;
  readonly thumbprintSha256: string;
  /** The certificate(s) in PEM, for the `x5c` header (subject name + issuer authentication). */
  readonly x5c: string;
}

const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function unusable(file: string, why: string): AuthFailure {
  return new AuthFailure(
    l10n.t('The certificate file {0} cannot be used ({1}): choose a PEM file that holds the unencrypted private key and its certificate.', file, why),
    'certificateUnreadable',
  );
}

export function parseClientCertificate(pem: string, file: string): ClientCertificate {
  const key = KEY_BLOCK.exec(pem);
  if (!key) throw unusable(file, l10n.t('no private key'));
  if (key[1] === 'ENCRYPTED PRIVATE KEY') throw unusable(file, l10n.t('the private key is encrypted'));
  const certificates = pem.match(CERT_BLOCK) ?? [];
  if (certificates.length === 0) throw unusable(file, l10n.t('no certificate'));
  let leaf: crypto.X509Certificate;
  let privateKey: crypto.KeyObject;
  try {
    leaf = new crypto.X509Certificate(certificates[0]!);
    privateKey = crypto.createPrivateKey(key[0]);
  } catch (error) {
    throw unusable(file, error instanceof Error ? error.message : String(error));
  }
  if (!leaf.checkPrivateKey(privateKey)) throw unusable(file, l10n.t('the private key does not belong to the certificate'));
  return {
    // PKCS#8 whatever the file used: MSAL's signer expects "BEGIN PRIVATE KEY".
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    thumbprintSha256: crypto.createHash('sha256').update(leaf.raw).digest('hex'),
    x5c: certificates.join('\n'),
  };
}

export async function readClientCertificate(file: string): Promise<ClientCertificate> {
  let pem: string;
  try {
    pem = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw unusable(file, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  return parseClientCertificate(pem, file);
}
