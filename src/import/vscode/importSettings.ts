/**
 * The `autopilot.*` settings that shape imports: API version, chunk size, write budget, polling and what happens
 * after Intune has processed a run. None of them decides where a token goes (those are the sign-in settings, read
 * from user settings only in `auth/vscode/authSettings.ts`), so they are read with the usual precedence.
 */
import * as vscode from 'vscode';
import type { ApiVersion } from '../../graph/client';
import type { EngineSettings } from '../settings';

export interface ImportSettings {
  readonly apiVersion: ApiVersion;
  readonly engine: Pick<EngineSettings, 'batchSize' | 'pollIntervalMs' | 'timeLimitMs' | 'settleMs'> & Partial<Pick<EngineSettings, 'adaptivePolling'>>;
  /** Most writes in any 20 s window (Intune's per-app budget is 100). */
  readonly writesPer20Seconds: number;
  readonly askForGroupTag: boolean;
  readonly syncAfterImport: boolean;
  /** Keep checking completed devices until they appear among registered devices (while the view is visible). */
  readonly waitForRegistration: boolean;
  readonly removeCompletedRecords: boolean;
}

/** Settings whose change means a different Graph client or engine. */
export const IMPORT_SETTING_SECTIONS = ['autopilot.apiVersion', 'autopilot.import', 'autopilot.poll'] as const;

// The same limits the manifest declares; a hand-edited settings.json may still hold anything.
const LIMITS = {
  batchSize: { min: 1, max: 500, fallback: 500 },
  writesPer20Seconds: { min: 1, max: 100, fallback: 100 },
  pollIntervalSeconds: { min: 1, max: 3600, fallback: 15 },
  timeLimitMinutes: { min: 1, max: 7 * 24 * 60, fallback: 60 },
  settleSeconds: { min: 0.01, max: 3600, fallback: 60 },
} as const;

function bounded(value: unknown, limit: { min: number; max: number; fallback: number }, whole = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return limit.fallback;
  const clamped = Math.min(limit.max, Math.max(limit.min, value));
  return whole ? Math.round(clamped) : clamped;
}

function userSet(configuration: vscode.WorkspaceConfiguration, section: string): boolean {
  const values = configuration.inspect(section);
  return [values?.globalValue, values?.workspaceValue, values?.workspaceFolderValue].some((value) => value !== undefined);
}

export function readImportSettings(configuration: vscode.WorkspaceConfiguration = vscode.workspace.getConfiguration('autopilot')): ImportSettings {
  const apiVersion = configuration.get<string>('apiVersion') === 'beta' ? 'beta' : 'v1.0';
  return {
    apiVersion,
    engine: {
      batchSize: bounded(configuration.get('import.batchSize'), LIMITS.batchSize, true),
      pollIntervalMs: bounded(configuration.get('poll.intervalSeconds'), LIMITS.pollIntervalSeconds) * 1000,
      // An interval the user set is kept to; the default lets the engine look when records can be done.
      adaptivePolling: !userSet(configuration, 'poll.intervalSeconds'),
      timeLimitMs: bounded(configuration.get('poll.timeLimitMinutes'), LIMITS.timeLimitMinutes) * 60_000,
      settleMs: bounded(configuration.get('import.settleSeconds'), LIMITS.settleSeconds) * 1000,
    },
    writesPer20Seconds: bounded(configuration.get('import.writesPer20Seconds'), LIMITS.writesPer20Seconds, true),
    askForGroupTag: configuration.get<boolean>('import.askForGroupTag') !== false,
    syncAfterImport: configuration.get<boolean>('import.syncAfterImport') !== false,
    waitForRegistration: configuration.get<boolean>('import.waitForRegistration') !== false,
    removeCompletedRecords: configuration.get<boolean>('import.removeCompletedRecords') === true,
  };
}
