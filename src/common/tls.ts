/**
 * What a TLS failure means, from Node's error code (OpenSSL's verify result, or Node's own `ERR_TLS_*`): the chain
 * ends at a CA this machine does not trust (a private CA, a TLS-inspecting proxy, a sandbox), the certificate is out
 * of its validity dates, it names another host, or the handshake itself failed. One list for Graph and sign-in.
 */
export type TlsProblem = 'untrusted' | 'expired' | 'wrong-host' | 'handshake';

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'CERT_CHAIN_TOO_LONG',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_SIGNATURE_FAILURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD']);
const WRONG_HOST = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);

export function tlsProblem(code: string | undefined): TlsProblem | undefined {
  if (!code) return undefined;
  if (UNTRUSTED.has(code)) return 'untrusted';
  if (EXPIRED.has(code)) return 'expired';
  if (WRONG_HOST.has(code)) return 'wrong-host';
  if (/CERT|SSL|TLS/i.test(code)) return 'handshake';
  return undefined;
}
