/**
 * What showing "who is signed in" costs when the extension starts: our way (read the stored token cache and parse
 * its accounts; MSAL stays unloaded) against the baseline of loading MSAL at activation and asking it (a
 * PublicClientApplication over the same cache, getAllAccounts). Activation cost is a cold-start cost, so every
 * sample is a fresh Node process. The cache holds three real sign-ins made against the identity emulator.
 *
 *   npm run bench:auth
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tokenCacheKey } from '../src/auth/delegatedAuth';
import { ADELE, FABRIKAM, MEGAN } from '../test/emulator/identity/directory';
import { serviceFor, signInWithDeviceCode, startEmulator } from '../test/unit/auth/fixtures';

const RUNS = 9;
const out = path.resolve(__dirname, '..');

async function realCacheBlob(): Promise<{ blob: string; authorityHost: string }> {
  const emulator = await startEmulator();
  try {
    const service = serviceFor(emulator);
    await signInWithDeviceCode(service, emulator, ADELE.username);
    await signInWithDeviceCode(service, emulator, ADELE.username, FABRIKAM.id);
    await signInWithDeviceCode(service, emulator, MEGAN.username);
    const blob = await service.secrets.get(tokenCacheKey(service.settings.clientId, service.settings.endpoints));
    if (!blob) throw new Error('no cache was stored');
    return { blob, authorityHost: emulator.authorityHost };
  } finally {
    await emulator.stop();
  }
}

/** Runs `body` in a fresh Node and returns the milliseconds it reports, from before the first require to the list. */
function coldRun(body: string, env: Record<string, string>): number {
  const script = `const started = performance.now();\n${body}\n`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, ...env }, cwd: path.resolve(out, '..') });
  if (result.status !== 0) throw new Error(result.stderr);
  const report = JSON.parse(result.stdout) as { ms: number; accounts: number };
  if (report.accounts !== 3) throw new Error(`expected 3 accounts, listed ${report.accounts}`);
  return report.ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const { blob, authorityHost } = await realCacheBlob();
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-bench-')), 'cache.json');
  fs.writeFileSync(file, blob);
  const env = { BENCH_CACHE: file, BENCH_AUTHORITY: authorityHost };

  const ours = `
    const { accountsInSerializedCache } = require(${JSON.stringify(path.join(out, 'src/auth/cachedAccounts.js'))});
    const accounts = accountsInSerializedCache(require('fs').readFileSync(process.env.BENCH_CACHE, 'utf8'));
    process.stdout.write(JSON.stringify({ ms: performance.now() - started, accounts: accounts.length }));`;
  const baseline = `
    const msal = require('@azure/msal-node');
    const blob = require('fs').readFileSync(process.env.BENCH_CACHE, 'utf8');
    const app = new msal.PublicClientApplication({
      auth: { clientId: '14d82eec-204b-4c2f-b7e8-296a70dab67e', authority: process.env.BENCH_AUTHORITY + '/organizations', knownAuthorities: [new URL(process.env.BENCH_AUTHORITY).host] },
      cache: { cachePlugin: { beforeCacheAccess: async (c) => c.tokenCache.deserialize(blob), afterCacheAccess: async () => undefined } },
    });
    app.getAllAccounts().then((accounts) => process.stdout.write(JSON.stringify({ ms: performance.now() - started, accounts: accounts.length })));`;

  const oursMs: number[] = [];
  const baselineMs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, so drift on a shared machine hits both alike.
    oursMs.push(coldRun(ours, env));
    baselineMs.push(coldRun(baseline, env));
  }
  const a = median(oursMs);
  const b = median(baselineMs);
  console.log(`machine: ${os.cpus().length} cores, Node ${process.version}; ${RUNS} cold processes each, median`);
  console.log(`list signed-in accounts at start-up: ${a.toFixed(1)} ms (parse the stored cache) vs ${b.toFixed(1)} ms (load MSAL, getAllAccounts): ${(b / a).toFixed(1)}× less time than the baseline`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
