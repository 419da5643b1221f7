/**
 * Hovers in corporate-identifier files: what a cell must hold (the WMI property the device reports), the identifier
 * exactly as it is sent, and — once the Corporate Identifiers view has read the tenant — whether Intune has it, with
 * its enrollment state and last contact.
 */
import * as vscode from 'vscode';
import { identifierText, type IdentifierLine } from '../payload/api';
import { enrollmentStateLabel, lastContactText } from '../views/corporateIdentifierPresentation';
import type { PayloadDiagnostics } from './payloadDiagnostics';
import { isIdentifierDocument } from './payloadDocuments';

/** What the tenant holds for an identifier: its record, `absent`, or undefined while the tenant has not been read. */
export type TenantLookup = (identifier: string) => { readonly enrollmentState: string | null; readonly lastContactedDateTime: string | null } | 'absent' | undefined;

function cellText(index: number): string {
  switch (index) {
    case 0:
      return vscode.l10n.t('**Manufacturer**: what `Win32_ComputerSystem.Manufacturer` reports on the device, exactly (for example `Dell Inc.`).');
    case 1:
      return vscode.l10n.t('**Model**: what `Win32_ComputerSystem.Model` reports on the device, exactly.');
    default:
      return vscode.l10n.t('**Serial number**: what `Win32_BIOS.SerialNumber` reports, without periods (the Intune portal asks to remove them).');
  }
}

/** A value inside inline code, whatever backticks it holds. */
function code(value: string): string {
  const fence = '`'.repeat(Math.max(0, ...[...value.matchAll(/`+/g)].map((match) => match[0].length)) + 1);
  return `${fence} ${value} ${fence}`;
}

export class IdentifierHovers implements vscode.HoverProvider {
  constructor(
    private readonly diagnostics: PayloadDiagnostics,
    private readonly inTenant: TenantLookup = () => undefined,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!isIdentifierDocument(document)) return undefined;
    const payload = this.diagnostics.resultFor(document) ?? this.diagnostics.validateDocument(document);
    const line: IdentifierLine | undefined = payload.identifiers?.find((candidate) => candidate.line === position.line + 1);
    if (!line) return undefined;
    const column = position.character + 1;
    const index = line.cells.findIndex((cell) => column >= cell.column && column <= cell.endColumn);
    if (index < 0) return undefined;
    const text = identifierText(line);
    const markdown = new vscode.MarkdownString();
    markdown.appendMarkdown(`${cellText(index)}\n\n`);
    markdown.appendMarkdown(`${vscode.l10n.t('Sent to Intune as the corporate identifier {0}', code(text))}\n\n`);
    markdown.appendMarkdown(vscode.l10n.t('Intune recognises a device as corporate at enrollment only when manufacturer, model and serial number all match what it reports.'));
    const known = this.inTenant(text);
    if (known === 'absent') markdown.appendMarkdown(`\n\n${vscode.l10n.t('Not in Intune yet (as the Corporate Identifiers view last read it).')}`);
    else if (known) markdown.appendMarkdown(`\n\n${vscode.l10n.t('In Intune: **{0}**, {1}.', enrollmentStateLabel(known.enrollmentState), lastContactText(known.lastContactedDateTime))}`);
    const cell = line.cells[index]!;
    return new vscode.Hover(markdown, new vscode.Range(line.line - 1, cell.column - 1, line.line - 1, cell.endColumn - 1));
  }
}
