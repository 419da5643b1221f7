/**
 * The README's GitHub Actions workflow, tested as far as it can be here: the YAML is read from the README itself, and
 * each job's `run` steps are run with bash as the runner runs them (`bash -e -o pipefail`), in a git repository with a
 * push of device files, against the sandbox tenant. GitHub's own parts are stood in for: `${{ … }}` expressions by
 * their values, the OIDC token service by a local server minting tokens from a test issuer that calls itself
 * `https://token.actions.githubusercontent.com`, `npx --yes autopilot-devices` by the bundled CLI, and the `uses:`
 * steps (checkout, setup-node, upload-artifact) by the prepared repository. The emulator's addresses come in through
 * the CLI's own environment variables, so the README's commands are run unchanged.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { fakeDevices } from '../../emulator/hashes';
import { CONTOSO, confidentialApp, type EmulatedApp } from '../../emulator/identity/directory';
import { GITHUB_ACTIONS_ISSUER, TOKEN_EXCHANGE_AUDIENCE, TestIssuer } from '../../emulator/identity/federation';
import { startSandboxTenant, type SandboxTenant } from '../../emulator/sandboxTenant';
import { CLI } from '../../support/cliRunner';
import { CSV_HEADER_3, UNPADDED_HASH } from '../payload/fixtures';
import { testTls } from '../auth/fixtures';

const README = path.resolve(__dirname, '..', '..', '..', '..', 'README.md');
const SUBJECT = 'repo:contoso/autopilot-devices:environment:intune';
const EXPECTED_ACTIONS = ['actions/checkout@v4', 'actions/setup-node@v4', 'actions/upload-artifact@v4'];
const FAST = { processingDelayMs: 200, processingJitterMs: 0, registrationDelayMs: 300, syncDurationMs: 100, syncMinIntervalMs: 60_000 };

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly env?: Record<string, string>;
  readonly if?: string;
}

interface Workflow {
  readonly on: Record<string, { branches?: string[] } | null>;
  readonly jobs: Record<string, { if?: string; permissions?: Record<string, string>; environment?: string; steps: Step[] }>;
}

/** The YAML block the README marks as tested. */
function readmeWorkflow(): Workflow {
  const text = fs.readFileSync(README, 'utf8');
  const marker = text.indexOf('readmeWorkflow.test.ts');
  assert.ok(marker > 0, 'the README marks its workflow as tested here');
  const block = /```yaml\n([\s\S]*?)```/.exec(text.slice(marker));
  assert.ok(block, 'a yaml block follows the marker');
  return parse(block[1]!) as Workflow;
}

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 't@example.com' } });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim();
}

interface StepRun {
  readonly name: string;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a job's `run` steps in order, stopping at the first failure, as the runner does. */
async function runJob(steps: readonly Step[], context: { cwd: string; expressions: Record<string, string>; env: Record<string, string> }): Promise<StepRun[]> {
  const runs: StepRun[] = [];
  for (const step of steps) {
    if (step.uses) {
      assert.ok(EXPECTED_ACTIONS.includes(step.uses), `the test stands in for ${step.uses}`);
      continue;
    }
    const expand = (text: string) =>
      text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
        assert.ok(expression in context.expressions, `no value for the expression ${expression}`);
        return context.expressions[expression]!;
      });
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([key, value]) => [key, expand(value)]));
    const child = spawn('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', expand(step.run!)], { cwd: context.cwd, env: { ...context.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    runs.push({ name: step.name ?? '', code, stdout, stderr });
    if (code !== 0) break;
  }
  return runs;
}

describe("The README's GitHub Actions workflow, run against the emulator", function () {
  this.timeout(90_000);
  const workflow = readmeWorkflow();
  let tenant: SandboxTenant;
  let app: EmulatedApp;
  let issuer: TestIssuer;
  let tokenService: http.Server;
  let tokenServiceUrl = '';
  let work: string;
  let repo: string;
  let runnerTemp: string;
  let shims: string;
  const REQUEST_TOKEN = 'actions-runtime-request-token';
  const audiencesAsked: string[] = [];

  before(async () => {
    tenant = await startSandboxTenant({ tls: testTls(), graph: { timing: FAST } });
    issuer = new TestIssuer(GITHUB_ACTIONS_ISSUER);
    tenant.identity.trustIssuer(issuer);
    app = tenant.identity.addApp(confidentialApp({ displayName: 'GitHub: contoso/autopilot-devices', federatedCredentials: [{ issuer: GITHUB_ACTIONS_ISSUER, subject: SUBJECT, audiences: [TOKEN_EXCHANGE_AUDIENCE] }] }));

    // GitHub's OIDC token service as a job sees it: ACTIONS_ID_TOKEN_REQUEST_URL (with a query) + the request token.
    tokenService = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://actions');
      if (req.headers.authorization !== `bearer ${REQUEST_TOKEN}`) {
        res.writeHead(401).end();
        return;
      }
      const audience = url.searchParams.get('audience') ?? '';
      audiencesAsked.push(audience);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: 1, value: issuer.mint({ subject: SUBJECT, audience }) }));
    });
    await new Promise<void>((resolve) => tokenService.listen(0, '127.0.0.1', resolve));
    tokenServiceUrl = `http://127.0.0.1:${(tokenService.address() as AddressInfo).port}/_apis/distributedtask/genid?api-version=2.0`;

    work = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-workflow-'));
    repo = path.join(work, 'repo');
    runnerTemp = path.join(work, 'runner-temp');
    shims = path.join(work, 'bin');
    for (const dir of [repo, runnerTemp, shims]) fs.mkdirSync(dir, { recursive: true });
    // `npx --yes autopilot-devices …` as the package runner would resolve it: the bundled CLI of this checkout.
    fs.writeFileSync(
      path.join(shims, 'npx'),
      `#!/bin/sh\n[ "$1" = "--yes" ] && shift\n[ "$1" = "autopilot-devices" ] || { echo "unexpected: npx $*" >&2; exit 127; }\nshift\nexec "${process.execPath}" "${CLI}" "$@"\n`,
      { mode: 0o755 },
    );
    git(repo, 'init', '-q', '-b', 'main');
  });

  after(async () => {
    await new Promise((resolve) => tokenService?.close(resolve));
    await tenant?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  function commit(files: Record<string, string>, message: string): string {
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      fs.writeFileSync(path.join(repo, file), text);
    }
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', message);
    return git(repo, 'rev-parse', 'HEAD');
  }

  const csv = (devices: readonly { serialNumber: string; hardwareIdentifier: string }[]) =>
    `${CSV_HEADER_3}\r\n${devices.map((d) => `${d.serialNumber},,${d.hardwareIdentifier}`).join('\r\n')}\r\n`;

  function baseEnv(): Record<string, string> {
    return {
      PATH: `${shims}:${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? work,
      RUNNER_TEMP: runnerTemp,
      GITHUB_WORKSPACE: repo,
    };
  }

  it('is the workflow the README promises: validate on pull requests, import on pushes to main with a federated token', () => {
    assert.ok('pull_request' in workflow.on);
    assert.deepEqual(workflow.on.push?.branches, ['main']);
    assert.match(workflow.jobs.validate!.if!, /pull_request/);
    assert.match(workflow.jobs.import!.if!, /push/);
    assert.equal(workflow.jobs.import!.permissions?.['id-token'], 'write');
    const importStep = workflow.jobs.import!.steps.find((step) => step.run?.includes('autopilot-devices import'));
    assert.ok(importStep?.run?.includes('--wait'), 'the import waits for registration');
    assert.deepEqual(Object.keys(importStep?.env ?? {}).sort(), ['AZURE_CLIENT_ID', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_TENANT_ID']);
  });

  it('validate job: passes clean files, and annotates a problem at its line in the pull request', async () => {
    const devices = fakeDevices(2, 'PRGOOD');
    commit({ 'devices/lab.csv': csv(devices), 'devices/lab2.autopilot.json': JSON.stringify([fakeDevices(1, 'PRJSON')[0]], null, 2), 'README.md': 'devices\n' }, 'devices');
    const clean = await runJob(workflow.jobs.validate!.steps, { cwd: repo, expressions: {}, env: baseEnv() });
    assert.deepEqual(clean.map((step) => step.code), [0], clean.map((s) => s.stderr).join('\n'));

    fs.mkdirSync(path.join(repo, 'devices', 'store'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'devices', 'store', 'returns.autopilot.json'), `[\n  { "serialNumber": "RET-1", "hardwareIdentifier": "${UNPADDED_HASH}" }\n]\n`);
    const failing = await runJob(workflow.jobs.validate!.steps, { cwd: repo, expressions: {}, env: baseEnv() });
    assert.equal(failing[0]!.code, 1, 'the job fails');
    assert.match(failing[0]!.stdout, /^::error file=devices\/store\/returns\.autopilot\.json,line=2,col=\d+,title=hash-padding::/m);
    fs.rmSync(path.join(repo, 'devices', 'store'), { recursive: true });
  });

  async function pushAndImport(files: Record<string, string>): Promise<StepRun[]> {
    const before = git(repo, 'rev-parse', 'HEAD');
    const after = commit(files, 'more devices');
    fs.rmSync(path.join(repo, 'import-result.json'), { force: true });
    return runJob(workflow.jobs.import!.steps, {
      cwd: repo,
      expressions: {
        'github.event.before': before,
        'github.sha': after,
        'vars.AZURE_CLIENT_ID': app.clientId,
        'vars.AZURE_TENANT_ID': CONTOSO.id,
        'runner.temp': runnerTemp,
      },
      env: {
        ...baseEnv(),
        ACTIONS_ID_TOKEN_REQUEST_URL: tokenServiceUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
        // Where the emulator is, through the CLI's own variables; the README's commands stay as written.
        AUTOPILOT_GRAPH_ROOT: tenant.graph.url,
        AUTOPILOT_AUTHORITY: tenant.identity.origin,
        NODE_EXTRA_CA_CERTS: testTls().caFile,
        AUTOPILOT_POLL_INTERVAL_SECONDS: '0.2',
      },
    });
  }

  it('import job: imports only what the push added or changed, with the federated token, and waits for registration', async () => {
    const fresh = fakeDevices(3, 'PUSHNEW');
    const steps = await pushAndImport({ 'devices/new-batch.csv': csv(fresh.slice(0, 2)), 'devices/one.autopilot.json': JSON.stringify(fresh.slice(2)), 'notes.txt': 'not a device file' });
    assert.deepEqual(steps.map((step) => [step.name, step.code]), steps.map((step) => [step.name, 0]), steps.map((s) => `${s.name}: ${s.stderr}`).join('\n'));
    assert.equal(steps.length, 3, 'every run step ran');
    assert.deepEqual(steps[0]!.stdout.trim().split('\n').sort(), ['devices/new-batch.csv', 'devices/one.autopilot.json']);
    assert.match(steps[2]!.stdout, /^credential\s+workload identity federation/m, 'whoami ran first');
    assert.deepEqual(audiencesAsked.slice(-1), [TOKEN_EXCHANGE_AUDIENCE]);

    const result = JSON.parse(fs.readFileSync(path.join(repo, 'import-result.json'), 'utf8')) as { runs: { devices: { serialNumber: string; status: string; registered: boolean }[] }[] };
    const devices = result.runs.flatMap((run) => run.devices);
    assert.deepEqual(devices.map((d) => d.serialNumber).sort(), fresh.map((d) => d.serialNumber).sort());
    assert.ok(devices.every((d) => d.status === 'complete' && d.registered), JSON.stringify(devices));
    assert.ok(tenant.identity.requests.some((r) => r.assertion?.subject === SUBJECT), 'Entra ID saw the federated token');
  });

  it('import job: fails when a device fails (806: already registered here)', async () => {
    const steps = await pushAndImport({ 'devices/returns.csv': csv([...fakeDevices(1, 'PUSHOK'), { serialNumber: 'PUSH-AGAIN', hardwareIdentifier: tenant.registered.hardwareIdentifier }]) });
    const last = steps[steps.length - 1]!;
    assert.equal(last.code, 3, `${last.name}: ${last.stderr}`);
    const devices = (JSON.parse(fs.readFileSync(path.join(repo, 'import-result.json'), 'utf8')) as { runs: { devices: { serialNumber: string; errorCode: number | null }[] }[] }).runs[0]!.devices;
    assert.equal(devices.find((d) => d.serialNumber === 'PUSH-AGAIN')?.errorCode, 806);
  });

  it('import job: does nothing when the push changed no device file', async () => {
    const steps = await pushAndImport({ 'notes.txt': 'only notes this time' });
    assert.deepEqual(steps.map((step) => step.code), [0, 0, 0]);
    assert.match(steps[2]!.stdout, /No device files changed\./);
  });
});
