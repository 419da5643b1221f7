/**
 * Reading a file's text as the editor shows it, and writing corporate-identifier files next to a source: what the
 * conversion and split commands share, and what the Autopilot Devices view will call to turn registered devices into
 * identifiers (`writeIdentifierFiles` with their manufacturer, model and serial number).
 */
import * as vscode from 'vscode';
import { EDITOR_ENCODINGS } from '../editor/payloadDiagnostics';
import type { TextEncoding } from '../payload/api';
import type { DeviceDescription, IdentifierConversion } from '../payload/corporateIdentifiers/convert';
import { decodePayloadBytes, isDecodeFailure } from '../payload/textDecoding';
import { fileLabel, freshSibling } from './payloadFiles';

/** An open editor's text (unsaved changes included), else the file's, decoded as the payload reader does. */
export async function readText(uri: vscode.Uri): Promise<{ text: string; encoding: TextEncoding }> {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
  if (open) return { text: open.getText(), encoding: EDITOR_ENCODINGS[open.encoding] ?? 'utf-8' };
  const decoded = decodePayloadBytes(await vscode.workspace.fs.readFile(uri));
  if (isDecodeFailure(decoded)) throw new Error(vscode.l10n.t('{0} is not a text file in an encoding Autopilot Devices reads (UTF-8, UTF-16 or ANSI).', fileLabel(uri)));
  return { text: decoded.text, encoding: decoded.encoding };
}

export interface WrittenIdentifierFiles {
  readonly files: readonly vscode.Uri[];
  readonly conversion: IdentifierConversion;
}

/**
 * Converts devices to corporate identifiers and writes them next to `source` as `<name>.identifiers.csv` (or
 * `<name>-partN.identifiers.csv` when more than the portal's 5,000 per file), never overwriting a file. Devices that
 * cannot become an identifier are logged with the reason.
 */
export async function writeIdentifierFiles(devices: readonly DeviceDescription[], source: vscode.Uri, log: vscode.LogOutputChannel): Promise<WrittenIdentifierFiles> {
  const { identifiersFromDevices, identifiersToCsv } = await import('../payload/corporateIdentifiers/convert');
  const conversion = identifiersFromDevices(devices);
  for (const refusal of conversion.notConverted) {
    log.warn(`corporate identifiers: device ${refusal.serialNumber || '(no serial)'}${refusal.line ? ` (line ${refusal.line})` : ''} not converted: ${refusal.code}: ${refusal.reason}`);
  }
  const parts = identifiersToCsv(conversion.identifiers);
  const files: vscode.Uri[] = [];
  for (const [index, part] of parts.entries()) {
    const target = await freshSibling(source, parts.length === 1 ? '.identifiers.csv' : `-part${index + 1}.identifiers.csv`);
    await vscode.workspace.fs.writeFile(target, part.bytes);
    files.push(target);
  }
  log.info(`corporate identifiers: ${conversion.identifiers.length} written to ${files.map((file) => file.path).join(', ')}; ${conversion.notConverted.length} not converted, ${conversion.periodsRemoved} serials without periods, ${conversion.repeats} repeats dropped`);
  return { files, conversion };
}
