/**
 * `autopilot.deleteIdentifier`: delete corporate identifiers from Intune — the selected ones in the Corporate
 * Identifiers view, or those picked from the palette — after a modal confirmation; one call per identifier (Graph has
 * no bulk delete), cancellable between calls. `{ confirmed: true }` as third argument skips the question (tests).
 */
import * as vscode from 'vscode';
import { UserCancelledError } from '../common/errors';
import type { DeleteOutcome } from '../import/vscode/corporateIdentifierService';
import type { CorporateIdentifiersFeature } from '../views/registerCorporateIdentifiersView';
import type { IdentifierRecordView } from '../import/vscode/corporateIdentifiersModel';
import { enrollmentStateLabel } from '../views/corporateIdentifierPresentation';
import { selectedIdentifiers } from './identifierTargets';

const SHOWN = 5;

async function pick(identifiers: CorporateIdentifiersFeature): Promise<IdentifierRecordView[]> {
  if (identifiers.model.state !== 'read') await identifiers.service.refresh();
  const records = identifiers.model.records().sort((a, b) => a.identifier.localeCompare(b.identifier));
  if (records.length === 0) throw new Error(vscode.l10n.t('The tenant has no corporate identifiers to delete.'));
  const picked = await vscode.window.showQuickPick(
    records.map((record) => ({ record, label: record.serialNumber, description: `${record.manufacturer} ${record.model}`, detail: enrollmentStateLabel(record.enrollmentState) })),
    { title: vscode.l10n.t('Delete corporate identifiers'), canPickMany: true, matchOnDescription: true },
  );
  if (!picked?.length) throw new UserCancelledError();
  return picked.map((item) => item.record);
}

async function confirm(records: readonly IdentifierRecordView[]): Promise<void> {
  const detail = [
    ...records.slice(0, SHOWN).map((record) => record.identifier),
    ...(records.length > SHOWN ? [vscode.l10n.t('…and {0} more.', records.length - SHOWN)] : []),
    '',
    vscode.l10n.t('Where enrollment restrictions block personal devices, a device that enrolls with a deleted identifier is no longer recognised as corporate. Devices already enrolled keep their ownership.'),
  ].join('\n');
  const remove = vscode.l10n.t('Delete');
  const choice = await vscode.window.showWarningMessage(
    records.length === 1 ? vscode.l10n.t('Delete the corporate identifier {0} from Intune?', records[0]!.identifier) : vscode.l10n.t('Delete {0} corporate identifiers from Intune?', records.length),
    { modal: true, detail },
    remove,
  );
  if (choice !== remove) throw new UserCancelledError();
}

export async function deleteIdentifier(identifiers: CorporateIdentifiersFeature, clicked?: unknown, selection?: unknown, options?: unknown): Promise<DeleteOutcome> {
  const chosen = selectedIdentifiers(identifiers.model, clicked, selection);
  const records = chosen.length ? chosen : await pick(identifiers);
  if ((options as { confirmed?: unknown } | undefined)?.confirmed !== true) await confirm(records);
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Deleting corporate identifiers'), cancellable: true },
    async (progress, token) => {
      const cancel = new AbortController();
      const subscription = token.onCancellationRequested(() => cancel.abort());
      try {
        return await identifiers.service.delete(records, (done) => progress.report({ message: vscode.l10n.t('{0} of {1}', done, records.length), increment: 100 / records.length }), cancel.signal);
      } finally {
        subscription.dispose();
      }
    },
  );
  const notDone = records.length - outcome.deleted.length - outcome.failed.length;
  if (outcome.failed.length === 0) {
    void vscode.window.showInformationMessage(
      notDone ? vscode.l10n.t('Deleted {0} corporate identifiers; stopped before the other {1}.', outcome.deleted.length, notDone) : vscode.l10n.t('Deleted {0} corporate identifiers from Intune.', outcome.deleted.length),
    );
  } else {
    const first = outcome.failed[0]!;
    void vscode.window.showWarningMessage(vscode.l10n.t('Deleted {0} corporate identifiers; {1} failed (first: {2}: {3}).', outcome.deleted.length, outcome.failed.length, first.record.identifier, first.error));
  }
  return outcome;
}
