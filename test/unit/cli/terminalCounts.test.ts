import * as assert from 'node:assert/strict';
import { humanSummary } from '../../../src/cli/output';
import { ProgressLine } from '../../../src/cli/progress';
import type { DeviceView, RunView } from '../../../src/import/runState';

function device(index: number): DeviceView {
  return {
    index,
    serialNumber: `ONE${index}`,
    fingerprint: 'abcd1234',
    id: `record-${index}`,
    status: 'complete',
    errorCode: 0,
    errorName: null,
    registered: true,
    sent: true,
    registrationId: null,
    recordDeleted: false,
    groupTag: null,
  };
}

function run(devices: number): RunView {
  return {
    id: '20261201T100000Z-abcdef',
    startedAt: '2026-12-01T10:00:00.000Z',
    source: 'one.csv',
    graphRoot: 'https://graph.microsoft.com',
    phase: 'finished',
    devices: Array.from({ length: devices }, (_, i) => device(i)),
    counts: { complete: devices, error: 0, partial: 0, pending: 0 },
    registrationWatched: true,
  };
}

function progressLines(events: Parameters<ProgressLine['onEvent']>[0][]): string {
  let text = '';
  const line = new ProgressLine((chunk) => (text += chunk), true);
  for (const event of events) line.onEvent(event);
  return text;
}

describe('The terminal counts one device in the singular', () => {
  it('summarises a run of one device as "1 device" and of two as "2 devices"', () => {
    assert.match(humanSummary(run(1)), /^Run 20261201T100000Z-abcdef \(one\.csv\): 1 device$/m);
    assert.match(humanSummary(run(2)), /: 2 devices$/m);
    assert.doesNotMatch(humanSummary(run(1)), /device\(s\)|1 devices/);
  });

  it('shows one device in the singular on the progress line', () => {
    const runId = 'r';
    const text = progressLines([
      { type: 'chunk-sending', runId, send: 1, devices: 1, mode: 'import' },
      { type: 'settling', runId, devices: 1, waitMs: 2_000 },
      { type: 'progress', runId, phase: 'processing', counts: { complete: 0, error: 0, partial: 0, pending: 1 }, total: 1, unsent: 0, registered: 0 },
    ]);
    assert.match(text, /Sending chunk 1 \(1 device\)…/);
    assert.match(text, /Graph did not confirm 1 device; waiting 2\.0 s/);
    assert.match(text, /1 device: 0 complete/);
    assert.doesNotMatch(text, /1 devices/);
  });
});
