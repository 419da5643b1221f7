import * as assert from 'node:assert/strict';
import { parseArguments, UsageError } from '../../../src/cli/args';
import { runCli } from '../../support/cliRunner';

describe('autopilot-devices arguments', () => {
  it('prints its version', async () => {
    const result = await runCli(['--version']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it('exits 2 with usage on an unknown command', async () => {
    const result = await runCli(['frobnicate']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command 'frobnicate'/);
    assert.match(result.stderr, /Usage:/);
  });

  it('exits 2 on an unknown flag, and still answers --json with one document', async () => {
    const result = await runCli(['import', 'a.json', '--frobnicate', '--json']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown option '--frobnicate'/);
    assert.deepEqual(JSON.parse(result.stdout), { error: "unknown option '--frobnicate'" });
  });

  it('takes options before or after the files, with a space or an equals sign', () => {
    const before = parseArguments(['import', '--group-tag', 'Sales', '--batch-size=100', 'a.json', '--wait', 'b.json', '--json']);
    assert.deepEqual(before.files, ['a.json', 'b.json']);
    assert.equal(before.options.groupTag, 'Sales');
    assert.equal(before.options.batchSize, 100);
    assert.ok(before.options.wait && before.options.json);
    const dashes = parseArguments(['import', '--', '--odd-name.json']);
    assert.deepEqual(dashes.files, ['--odd-name.json']);
    const common = parseArguments(['status', '--cloud', 'usgov', '--api-version', 'beta', '--tenant', 'contoso.onmicrosoft.com', '--poll-interval', '0.25']);
    assert.equal(common.options.cloud, 'usgov');
    assert.equal(common.options.apiVersion, 'beta');
    assert.equal(common.options.pollIntervalSeconds, 0.25);
  });

  for (const [args, message] of [
    [['import'], /needs at least one file/],
    [['status', 'a.json'], /takes no files/],
    [['import', 'a.json', '--batch-size', '501'], /1 to 500/],
    [['import', 'a.json', '--batch-size', '2.5'], /1 to 500/],
    [['import', 'a.json', '--poll-interval', '0'], /positive/],
    [['import', 'a.json', '--cloud', 'mars'], /--cloud must be one of/],
    [['import', 'a.json', '--api-version', 'v2'], /--api-version must be one of/],
    [['import', 'a.json', '--graph-root', 'not a url'], /needs an http\(s\) URL/],
    [['status', '--group-tag', 'x'], /not an option of 'status'/],
    [['import', 'a.json', '--wait=yes'], /takes no value/],
    [['import', 'a.json', '--journal'], /needs a value/],
  ] as const) {
    it(`refuses ${args.join(' ')}`, () => {
      assert.throws(() => parseArguments(args), (error: unknown) => error instanceof UsageError && message.test(error.message));
    });
  }
});
