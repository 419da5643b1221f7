/** Which interrupted run a "Continue …" command finishes: the one given, the only one, or the one the user picks. */
import * as vscode from 'vscode';
import { NothingToDoError, UserCancelledError } from '../common/errors';

export interface UnfinishedChoice<Run> {
  /** This tenant's unfinished runs. */
  readonly list: () => Promise<readonly Run[]>;
  /** Said (as information) when there is none. */
  readonly none: string;
  readonly title: string;
  readonly item: (run: Run) => { label: string; description?: string; detail?: string };
}

export async function chooseUnfinished<Run extends { readonly id: string; readonly startedAt: string }>(runId: unknown, choice: UnfinishedChoice<Run>): Promise<string> {
  if (typeof runId === 'string') return runId;
  const runs = await choice.list();
  if (runs.length === 0) throw new NothingToDoError(choice.none);
  if (runs.length === 1) return runs[0]!.id;
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => ({ runId: run.id, description: new Date(run.startedAt).toLocaleString(vscode.env.language), ...choice.item(run) })),
    { title: choice.title },
  );
  if (!picked) throw new UserCancelledError();
  return picked.runId;
}
