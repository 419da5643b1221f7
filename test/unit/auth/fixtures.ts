/** Shared set-up for the auth tests: the identity emulator over HTTPS, a captured log, a custom cloud pointing at it. */
import * as assert from 'node:assert/strict';
import type { Logger } from '../../../src/common/logger';
import { resolveCloud, type CloudEndpoints } from '../../../src/graph/clouds';
import { AuthNetworkClient } from '../../../src/auth/networkClient';
import { DEFAULT_CLIENT_ID, DEFAULT_TENANT } from '../../../src/auth/authConfig';
import { AuthFailure, type AuthFailureReason } from '../../../src/auth/authErrors';
import { AuthService, type Account, type ActiveAccountMemory } from '../../../src/auth/authService';
import { MemorySecretStore } from '../../../src/auth/secretStore';
import { startIdentityEmulator, type IdentityEmulator, type IdentityEmulatorOptions } from '../../emulator/identity/identityEmulator';
import { createTestTls, type TestTls } from '../../emulator/identity/testTls';

let tls: TestTls | undefined;

/** One throw-away CA per test process (making RSA keys is the slow part). */
export function testTls(): TestTls {
  tls ??= createTestTls();
  return tls;
}

export function startEmulator(options: Partial<IdentityEmulatorOptions> = {}): Promise<IdentityEmulator> {
  return startIdentityEmulator({ tls: testTls(), deviceCodePollIntervalSeconds: 1, ...options });
}

/** The Graph root the tests ask tokens for; nothing listens there, the token's audience is what matters. */
export const TEST_GRAPH_ROOT = 'https://graph.emulator.test';

export function emulatorCloud(emulator: IdentityEmulator, graphRoot = TEST_GRAPH_ROOT): CloudEndpoints {
  return resolveCloud({ cloud: 'custom', authorityHost: emulator.authorityHost, graphRoot });
}

export interface CapturedLog extends Logger {
  readonly lines: string[];
  text(): string;
}

/** A logger that keeps every line at every level, for assertions about what reached the log. */
export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const push = (level: string) => (message: string | Error) => lines.push(`[${level}] ${message instanceof Error ? (message.stack ?? message.message) : message}`);
  return { lines, text: () => lines.join('\n'), trace: push('trace'), debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

export function networkFor(log: Logger, options: { slowDownStepMs?: number } = {}): AuthNetworkClient {
  return new AuthNetworkClient({ log, ca: testTls().caCert, ...options });
}

/** No token, code or secret the emulator ever issued or accepted appears anywhere in the log. */
export function assertNoSecretsIn(log: CapturedLog, emulator: IdentityEmulator, extra: readonly string[] = []): void {
  const text = log.text();
  assert.ok(log.lines.length > 0, 'nothing was logged, so the assertion would prove nothing');
  for (const secret of [...emulator.issuedSecrets, ...extra]) {
    if (secret.length < 6) continue;
    assert.ok(!text.includes(secret), `the log contains a secret value (${secret.slice(0, 4)}…)`);
  }
}

/** Waits until `condition` holds, polling; fails after `timeoutMs`. */
export async function eventually<T>(condition: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface ServiceSetup {
  readonly secrets?: MemorySecretStore;
  readonly log?: CapturedLog;
  readonly clientId?: string;
  readonly tenantId?: string;
  readonly memory?: ActiveAccountMemory;
  readonly graphRoot?: string;
}

/** A memento-like memory of the active account, shared by "windows" that share it. */
export function memoryOfActiveAccount(): ActiveAccountMemory {
  let value: string | undefined;
  return { get: () => value, set: (id) => void (value = id) };
}

/** An AuthService as one VS Code window would build it, trusting the test CA. */
export function serviceFor(emulator: IdentityEmulator, setup: ServiceSetup = {}): AuthService & { log: CapturedLog; secrets: MemorySecretStore } {
  const log = setup.log ?? captureLog();
  const secrets = setup.secrets ?? new MemorySecretStore();
  const service = new AuthService({
    settings: { endpoints: emulatorCloud(emulator, setup.graphRoot), clientId: setup.clientId ?? DEFAULT_CLIENT_ID, tenantId: setup.tenantId ?? DEFAULT_TENANT },
    secrets,
    log,
    memory: setup.memory ?? memoryOfActiveAccount(),
    network: { ca: testTls().caCert, slowDownStepMs: 100 },
  });
  return Object.assign(service, { log, secrets });
}

/** Signs in with a device code that `username` approves at the emulator, as the user would on another device. */
export async function signInWithDeviceCode(service: AuthService, emulator: IdentityEmulator, username: string, tenantId?: string): Promise<Account> {
  let code: string | undefined;
  const signIn = service.signInWithDeviceCode({ onDeviceCode: (prompt) => (code = prompt.userCode), ...(tenantId ? { tenantId } : {}) });
  const shown = await Promise.race([eventually(() => code, 'the device code'), signIn.then(() => undefined)]);
  if (shown) emulator.approveDeviceCode(shown, username);
  return signIn;
}

/** Asserts that `promise` rejects with an AuthFailure for `reason` whose message names `expected`. */
export async function rejectsWith(promise: Promise<unknown>, reason: AuthFailureReason, expected: RegExp): Promise<AuthFailure> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AuthFailure, `expected an AuthFailure, got ${String(error)}`);
    assert.equal(error.reason, reason, `reason: ${error.message}`);
    assert.match(error.message, expected);
    assert.ok(!error.message.includes('\n'), 'the user-facing message is one line');
    return error;
  }
  assert.fail(`expected a rejection with ${reason}`);
}

export function tokenRequests(emulator: IdentityEmulator, grantType?: string): number {
  return emulator.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/token') && (!grantType || r.grantType === grantType)).length;
}
