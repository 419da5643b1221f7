/**
 * The payload layer's data shapes. Kept apart from `api.ts` so the modules behind that surface can name them without
 * importing the surface itself (no import cycle inside the layer).
 */
import type { IdentifierLine } from './corporateIdentifiers/identifier';

/** `corporate-identifiers`: a `Manufacturer,Model,Serial` CSV for Autopilot device preparation (no hardware hash). */
export type PayloadFormat = 'json' | 'csv' | 'corporate-identifiers';
export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/**
 * Who finds a problem. Editors that already run the bundled schema (VS Code's JSON language features on
 * `*.autopilot.json`) report `syntax` and `schema` problems themselves, so the extension only adds the `check` ones there.
 */
export type ProblemOrigin = 'syntax' | 'schema' | 'check';

/** A replacement of the text between two 1-based positions (end exclusive). */
export interface PayloadEdit {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly newText: string;
}

/** A repair the editor can offer as a quick fix. */
export interface PayloadFix {
  readonly title: string;
  readonly edits: readonly PayloadEdit[];
  /** A repair that writes other files instead of editing this one (the editor runs the matching command). */
  readonly action?: 'split-identifier-file';
}

export interface PayloadProblem {
  readonly severity: 'error' | 'warning';
  /** Stable identifier scripts and quick fixes key on, e.g. `hash-padding`. */
  readonly code: string;
  /** Says what is wrong and what to do about it. */
  readonly message: string;
  /** 1-based position of the offending key, value or CSV cell. */
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  readonly origin?: ProblemOrigin;
  readonly fix?: PayloadFix;
}

/** One device as the engine sends it: the writable properties of `importedWindowsAutopilotDeviceIdentity`. */
export interface DeviceToImport {
  readonly serialNumber: string;
  readonly hardwareIdentifier: string;
  readonly groupTag?: string;
  readonly productKey?: string;
  readonly assignedUserPrincipalName?: string;
  readonly importId?: string;
  /** 1-based line where the device starts in its source file, for messages that point back at it. */
  readonly line?: number;
}

export interface ParsedPayload {
  readonly format: PayloadFormat;
  readonly encoding: TextEncoding;
  /** Every device that has a serial number and a hardware hash, in file order (duplicates included). */
  readonly devices: readonly DeviceToImport[];
  readonly problems: readonly PayloadProblem[];
  /** How many device entries (JSON items or CSV data rows) the file holds, readable or not (set by this layer). */
  readonly entries?: number;
  /** For `corporate-identifiers`: every line that reads as three values, in file order, with where its cells sit. */
  readonly identifiers?: readonly IdentifierLine[];
}

/** Files above this size are refused before they are read: about 15,000 devices with real-size hashes. */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
