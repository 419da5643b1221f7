/** Finding the payload a command works on, reading it, and naming the files conversions write next to it. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserCancelledError } from '../common/errors';
import { parsePayloadText, readPayload, type ParsedPayload, type PayloadFormat } from '../payload/api';
import type { PayloadDiagnostics } from '../editor/payloadDiagnostics';

export type PayloadKind = 'csv' | 'json' | 'any';

const FILTERS: Record<PayloadKind, Record<string, string[]>> = {
  csv: { 'Hardware-hash CSV': ['csv'] },
  json: { 'Device payload': ['json'] },
  any: { 'Device payload': ['json', 'csv'] },
};

function matches(uri: vscode.Uri, kind: PayloadKind): boolean {
  const extension = path.posix.extname(uri.path).toLowerCase();
  return kind === 'any' ? extension === '.csv' || extension === '.json' : extension === `.${kind}`;
}

/**
 * The file a command acts on: the one it was invoked on (Explorer or editor menu), else the active editor's when it
 * is the right kind, else one the user picks.
 */
export async function payloadTarget(argument: unknown, kind: PayloadKind, title: string): Promise<vscode.Uri> {
  if (argument instanceof vscode.Uri) return argument;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && (matches(active, kind) || (kind !== 'csv' && active.scheme === 'untitled'))) return active;
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectMany: false,
    filters: FILTERS[kind],
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  if (!picked?.[0]) throw new UserCancelledError();
  return picked[0];
}

/**
 * The payload at `uri`: an open editor's current text, else the file's bytes (refused unread when too large).
 * `format` reads it as that format whatever its name and content say (the editor's problems stay as they are).
 */
export async function readPayloadAt(uri: vscode.Uri, diagnostics: PayloadDiagnostics, format?: PayloadFormat): Promise<ParsedPayload> {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
  if (open) {
    const payload = diagnostics.validateDocument(open);
    return !format || payload.format === format ? payload : parsePayloadText(open.getText(), open.uri.path, payload.encoding, format);
  }
  const payload = await readPayload(uri.path, {
    size: async () => {
      const stat = await vscode.workspace.fs.stat(uri);
      return stat.type & vscode.FileType.File ? stat.size : undefined;
    },
    read: async () => vscode.workspace.fs.readFile(uri),
  }, format);
  diagnostics.publish(uri, payload);
  return payload;
}

/** `<folder>/<stem><suffix>`, numbered when that file exists, so a conversion never overwrites anything. */
export async function freshSibling(source: vscode.Uri, suffix: string): Promise<vscode.Uri> {
  if (source.scheme === 'untitled') throw new Error(vscode.l10n.t('Save the payload first: the converted file is written next to it.'));
  const base = path.posix.basename(source.path).replace(/(\.autopilot|\.identifiers)?\.(json|csv)$/i, '');
  const folder = vscode.Uri.joinPath(source, '..');
  for (let attempt = 1; ; attempt += 1) {
    const candidate = vscode.Uri.joinPath(folder, `${base}${attempt === 1 ? '' : `-${attempt}`}${suffix}`);
    try {
      await vscode.workspace.fs.stat(candidate);
    } catch {
      return candidate;
    }
  }
}

export function fileLabel(uri: vscode.Uri): string {
  return path.posix.basename(uri.path);
}
