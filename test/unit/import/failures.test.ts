import * as assert from 'node:assert/strict';
import { GraphError, GraphNetworkError } from '../../../src/graph/errors';
import { RunBusyError, RunFailedError, RunTenantError, UncertainSendError } from '../../../src/import/errors';
import { describeFailure, type FailureContext } from '../../../src/import/failures';

const EDITOR: FailureContext = { surface: 'editor', accountKind: 'user' };
const TERMINAL: FailureContext = { surface: 'terminal', accountKind: 'app', graphRoot: 'https://graph.microsoft.com', staticToken: false };

/** What only the terminal has: flags, variables, the resume subcommand. */
const TERMINAL_WORDS = /--[a-z]|\bAUTOPILOT_[A-Z_]+|autopilot-devices (resume|import)|NODE_EXTRA_CA_CERTS set/;
/** What only VS Code has: settings, commands, the status bar. */
const EDITOR_WORDS = /\bautopilot\.(cloud|graphRoot|authority)\b|Continue Import|status bar|Recent Imports/;

function graphError(status: number, code: string): GraphError {
  return new GraphError({ status, code, graphMessage: 'Graph says no', method: 'POST', path: 'deviceManagement/importedWindowsAutopilotDeviceIdentities/import', requestId: 'req-1', clientRequestId: 'client-1', date: 'Tue, 01 Dec 2026 12:00:00 GMT' });
}

const FAILURES: [string, Error][] = [
  ['403', graphError(403, 'Forbidden')],
  ['429 after every retry', graphError(429, 'TooManyRequests')],
  ['Graph unreachable', new GraphNetworkError('unreachable', false, 'https://graph.microsoft.com', 'GET', 'x', 'ECONNREFUSED')],
  ['answers that never came', new UncertainSendError(3)],
  ['a run another process holds', new RunBusyError('run-1', 4242)],
  ['a run of another tenant', new RunTenantError('run-1', { id: 'a', label: 'contoso.onmicrosoft.com' }, { id: 'b', label: 'fabrikam.onmicrosoft.com' })],
];

describe('one vocabulary for what stopped the work (import/failures.ts)', () => {
  for (const [what, error] of FAILURES) {
    it(`words ${what} for each surface in its own terms`, () => {
      const editor = describeFailure(error, EDITOR);
      const terminal = describeFailure(error, TERMINAL);
      assert.doesNotMatch(editor, TERMINAL_WORDS, `editor: ${editor}`);
      assert.doesNotMatch(terminal, EDITOR_WORDS, `terminal: ${terminal}`);
      assert.ok(editor.length > 30 && terminal.length > 30);
      assert.equal(describeFailure(new RunFailedError('run-1', error), EDITOR), editor, 'a failed run is described by its cause');
    });
  }

  it('tells errors apart by type and code, not by their names or message text', () => {
    const impostor = Object.assign(new Error('Graph answered 403 Forbidden'), { name: 'GraphError', status: 403 });
    assert.equal(describeFailure(impostor, EDITOR), 'Graph answered 403 Forbidden');
    assert.match(describeFailure(graphError(403, 'Forbidden'), EDITOR), /Intune role/);
    assert.match(describeFailure(graphError(403, 'Forbidden'), { ...EDITOR, accountKind: 'app' }), /application permission/);
  });

  it('says what to do next: resume in the terminal, Continue Import in VS Code', () => {
    assert.match(describeFailure(new UncertainSendError(1), TERMINAL), /1 device,.*"autopilot-devices resume"/);
    assert.match(describeFailure(new UncertainSendError(2), EDITOR), /2 devices,.*Continue Import/);
    assert.match(describeFailure(graphError(429, 'TooManyRequests'), TERMINAL), /autopilot-devices resume/);
    assert.match(describeFailure(graphError(429, 'TooManyRequests'), EDITOR), /Continue Import/);
  });

  it('names the run by its file in VS Code, and by its id in the terminal', () => {
    const refusal = new RunTenantError('run-7', { id: 'a', label: 'contoso.onmicrosoft.com' }, { id: 'b', label: 'fabrikam.onmicrosoft.com' });
    assert.match(describeFailure(refusal, { ...EDITOR, runName: 'laptops.csv' }), /^laptops\.csv was imported into tenant contoso\.onmicrosoft\.com, but the active account is in tenant fabrikam\.onmicrosoft\.com/);
    assert.match(describeFailure(refusal, TERMINAL), /^Run run-7 belongs to tenant contoso\.onmicrosoft\.com, but the credentials are for tenant fabrikam\.onmicrosoft\.com/);
  });
});
