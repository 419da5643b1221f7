import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const cli = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');

function run(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

describe('autopilot-devices (bundled CLI)', () => {
  it('prints its version', () => {
    const result = run('--version');
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it('exits 2 with usage on an unknown command', () => {
    const result = run('frobnicate');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /unknown command 'frobnicate'/);
    assert.match(result.stderr, /Usage:/);
  });
});
