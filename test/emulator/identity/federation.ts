/**
 * Workload identity federation in the emulator: an external token issuer (GitHub Actions, Kubernetes…) that mints
 * the JWTs a pipeline presents, and the federated credentials an app registration trusts. Entra ID fetches an
 * issuer's signing keys from its OpenID discovery document; the emulator is handed the issuer's public key instead.
 *
 * Refusals use Entra's codes (Microsoft Entra error reference; workload identity federation troubleshooting):
 * AADSTS700211 no credential for the issuer, AADSTS700213 for the subject, AADSTS700212 for the audience,
 * AADSTS700024 an assertion outside its valid time range, AADSTS700027 a signature that does not verify.
 */
import * as crypto from 'node:crypto';
import { signJwt } from './jwt';

/** The audience Entra ID expects federated tokens to carry (global cloud). */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

export interface FederatedCredential {
  readonly issuer: string;
  /** Compared exactly, case included (as Entra does since 2025). */
  readonly subject: string;
  readonly audiences: readonly string[];
}

export interface MintOptions {
  readonly subject: string;
  readonly audience?: string;
  /** Seconds from now until the token expires (negative: already expired). */
  readonly expiresInSeconds?: number;
  readonly notBeforeSeconds?: number;
}

/** An external OIDC issuer whose tokens the emulated Entra ID can be told to trust. */
export class TestIssuer {
  private readonly keys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly keyId = crypto.randomBytes(8).toString('hex');

  constructor(readonly issuer: string = GITHUB_ACTIONS_ISSUER, private readonly now: () => number = () => Date.now()) {}

  get publicKey(): crypto.KeyObject {
    return this.keys.publicKey;
  }

  /** A federated token as the issuer would hand it to a pipeline. */
  mint(options: MintOptions): string {
    const issuedAt = Math.floor(this.now() / 1000);
    return signJwt(
      { kid: this.keyId },
      {
        iss: this.issuer,
        sub: options.subject,
        aud: options.audience ?? TOKEN_EXCHANGE_AUDIENCE,
        iat: issuedAt,
        nbf: issuedAt + (options.notBeforeSeconds ?? 0),
        exp: issuedAt + (options.expiresInSeconds ?? 300),
        jti: crypto.randomUUID(),
      },
      this.keys.privateKey,
    );
  }
}
