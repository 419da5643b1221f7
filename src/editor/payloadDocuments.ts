/** Which open documents are Autopilot payloads, and which of their problems VS Code already shows by itself. */
import * as vscode from 'vscode';
import type { PayloadProblem } from '../payload/api';
import { recogniseHeader } from '../payload/csvColumns';
import { looksLikeUpdateFile } from '../import/lifecycle/updateShape';
import { hasIdentifiersName, looksLikeIdentifiers } from '../payload/corporateIdentifiers/recognise';

const SCHEMA_FILE = 'autopilot-import.schema.json';

function isAutopilotJsonName(uri: vscode.Uri): boolean {
  return uri.path.toLowerCase().endsWith('.autopilot.json');
}

function isCsvName(uri: vscode.Uri): boolean {
  return uri.path.toLowerCase().endsWith('.csv');
}

/** A CSV is a payload when its first line names the serial-number or hardware-hash column. */
function hasAutopilotHeader(document: vscode.TextDocument): boolean {
  if (document.lineCount === 0) return false;
  const header = document.lineAt(0).text.replace(/^\uFEFF/, '');
  return header.split(/[,;\t]/).some((cell) => {
    const meaning = recogniseHeader(cell.trim().replace(/^"|"$/g, ''))?.meaning;
    return meaning?.kind === 'field' && (meaning.field === 'serialNumber' || meaning.field === 'hardwareIdentifier');
  });
}

/**
 * Whether an open document is an update file (SPEC 6.2) by the one rule (`looksLikeUpdateFile`). A CSV is told by its
 * header line, so its text is fetched only when it is JSON (or `text`, when the caller has it already).
 */
export function isUpdateDocument(document: vscode.TextDocument, text?: string): boolean {
  if (text !== undefined) return looksLikeUpdateFile(text);
  const first = document.lineCount ? document.lineAt(0).text : '';
  return looksLikeUpdateFile(first.trim() === '' || /^\uFEFF?\s*[[{]/.test(first) ? document.getText() : first);
}

/** A corporate-identifier CSV: named `*.identifiers.csv`, or whose first lines read as `Manufacturer,Model,Serial`. */
export function isIdentifierDocument(document: vscode.TextDocument): boolean {
  if (hasIdentifiersName(document.uri.path)) return true;
  return isCsvName(document.uri) && looksLikeIdentifiers(document.getText(new vscode.Range(0, 0, Math.min(document.lineCount, 20), 0)));
}

function pointsAtBundledSchema(document: vscode.TextDocument): boolean {
  const start = document.getText(new vscode.Range(0, 0, Math.min(document.lineCount, 20), 0));
  return new RegExp(`"\\$schema"\\s*:\\s*"[^"]*${SCHEMA_FILE.replace(/\./g, '\\.')}"`).test(start);
}

export function isPayloadDocument(document: vscode.TextDocument): boolean {
  if (document.uri.scheme === 'output' || document.uri.scheme === 'vscode-scm') return false;
  if (isAutopilotJsonName(document.uri)) return true;
  if (isCsvName(document.uri)) return hasAutopilotHeader(document) || isIdentifierDocument(document) || isUpdateDocument(document);
  return (document.languageId === 'json' || document.languageId === 'jsonc') && pointsAtBundledSchema(document);
}

export function isPayloadUri(uri: vscode.Uri): boolean {
  return isAutopilotJsonName(uri) || isCsvName(uri) || uri.path.toLowerCase().endsWith('.json');
}

/**
 * VS Code's JSON language features validate `*.autopilot.json` against the same bundled schema (the `jsonValidation`
 * contribution) and report syntax errors, so an open one only needs the checks the schema cannot express.
 */
export function problemsToShow(document: vscode.TextDocument | undefined, uri: vscode.Uri, problems: readonly PayloadProblem[]): PayloadProblem[] {
  return jsonFeaturesCover(document, uri) ? problems.filter((problem) => problem.origin === 'check') : [...problems];
}

/** Whether VS Code's JSON features check this open document against the bundled schema (and show its syntax errors). */
export function jsonFeaturesCover(document: vscode.TextDocument | undefined, uri: vscode.Uri): boolean {
  return document !== undefined && isAutopilotJsonName(uri) && (document.languageId === 'json' || document.languageId === 'jsonc');
}
