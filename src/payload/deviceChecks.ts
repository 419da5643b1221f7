/**
 * The checks a JSON schema cannot express: hash encoding and size, duplicates across the file, placeholder serials,
 * and values still holding a template's placeholder. They run on the device records of either format, so JSON and CSV
 * get the same codes and messages.
 */
import * as l10n from '@vscode/l10n';
import type { PayloadProblem } from './types';
import { analyseHardwareHash, PLAUSIBLE_HASH_BYTES } from './hardwareHash';
import { editAt, problemAt, type ProblemDetails, type SourceDocument, type TextSpan } from './sourceDocument';

/** What firmware reports when the OEM never wrote a serial number (normalised: lower case, single spaces). */
const PLACEHOLDER_SERIALS = new Set([
  'default string',
  'to be filled by o.e.m.',
  'to be filled by oem',
  'system serial number',
  'chassis serial number',
  'base board serial number',
  'serial number',
  'serialnumber',
  'not applicable',
  'not specified',
  'not available',
  'none',
  'n/a',
  'na',
  'null',
  'unknown',
  'invalid',
  'empty',
  'oem',
  '123456789',
  '1234567890',
  '0123456789',
]);

export function isPlaceholderSerial(serial: string): boolean {
  const normalised = serial.trim().toLowerCase().replace(/\s+/g, ' ');
  // A serial of one repeated character (`0000000`, `XXXXXXXX`) is a placeholder too.
  return PLACEHOLDER_SERIALS.has(normalised) || /^(.)\1*$/.test(normalised);
}

/**
 * A value that still holds a template's placeholder, as New Device Payload and the schema's snippets write them
 * (`"<serial number>"`): not wrong yet, just not filled in. The editor shows it as information, not as an error;
 * nothing is imported while one is left.
 */
const TEMPLATE_PLACEHOLDER = /^<[^<>]+>$/;
const TEMPLATE_FIELDS: Record<string, () => string> = {
  serialNumber: () => l10n.t("the device's serial number"),
  hardwareIdentifier: () => l10n.t("the device's hardware hash (Get-WindowsAutopilotInfo's Hardware Hash)"),
  productKey: () => l10n.t("the device's Windows product ID, or remove the property"),
  groupTag: () => l10n.t('the group tag, or remove the property'),
  assignedUserPrincipalName: () => l10n.t("the assigned user's principal name, or remove the property"),
};

export function isTemplatePlaceholder(value: string): boolean {
  return TEMPLATE_PLACEHOLDER.test(value);
}

/**
 * Remembers where each hash first appeared. V8 hashes every character of a string used as a Map key, which for
 * thousands of 4 KB hashes costs more than parsing the file; a key sampled across the hash finds the candidates,
 * and a full comparison confirms them.
 */
class FirstHashes {
  private readonly seen = new Map<number, { hash: string; index: number }[]>();

  /** FNV-1a over the length and 64 characters spread across the hash. */
  private static sample(hash: string): number {
    const step = Math.max(1, Math.floor(hash.length / 64));
    let key = (0x811c9dc5 ^ hash.length) >>> 0;
    for (let at = 0; at < hash.length; at += step) key = Math.imul(key ^ hash.charCodeAt(at), 0x01000193) >>> 0;
    return key;
  }

  /** The index of an earlier equal hash, or undefined after remembering this one. */
  firstIndexOf(hash: string, index: number): number | undefined {
    const key = FirstHashes.sample(hash);
    const candidates = this.seen.get(key);
    const earlier = candidates?.find((candidate) => candidate.hash === hash);
    if (earlier) return earlier.index;
    if (candidates) candidates.push({ hash, index });
    else this.seen.set(key, [{ hash, index }]);
    return undefined;
  }
}

function stringField(record: unknown, field: string): string | undefined {
  if (record === null || typeof record !== 'object') return undefined;
  const value = (record as Record<string, unknown>)[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** What to change at the end of the hash, in words that work in a terminal as in the editor. */
function paddingMessage(hash: string, repaired: string): string {
  if (repaired.startsWith(hash)) {
    return l10n.t('The hardware hash lacks its Base64 padding: add "{0}" at its end (its length must be a multiple of 4); Graph refuses it as Edm.Binary otherwise.', repaired.slice(hash.length));
  }
  if (hash.startsWith(repaired)) {
    return l10n.t('The hardware hash has too much Base64 padding: remove {0} "=" from its end (its length must be a multiple of 4); Graph refuses it as Edm.Binary otherwise.', hash.length - repaired.length);
  }
  return l10n.t('The hardware hash is not padded Base64: its length must be a multiple of 4, ending in = or == as needed; Graph refuses it as Edm.Binary otherwise.');
}

function hashProblems(document: SourceDocument, pointer: string, hash: string): { span: TextSpan; details: ProblemDetails }[] {
  const verdict = analyseHardwareHash(hash);
  const characterAt = (index: number): TextSpan => {
    const start = document.characterOffset(pointer, index);
    return { start, end: start + 1 };
  };
  switch (verdict.kind) {
    case 'invalid-character': {
      const character = hash[verdict.index];
      const shown = character === undefined ? '' : /\s/.test(character) ? l10n.t('a space or line break') : `"${character}"`;
      return [
        {
          span: characterAt(verdict.index),
          details: {
            severity: 'error',
            code: 'hash-not-base64',
            origin: 'check',
            message: l10n.t(
              'The hardware hash is not Base64: {0} at character {1} cannot be part of it. Copy the hash again from Get-WindowsAutopilotInfo (A–Z, a–z, 0–9, + and / only).',
              shown,
              verdict.index + 1,
            ),
          },
        },
      ];
    }
    case 'base64url':
      return [
        {
          span: characterAt(verdict.index),
          details: {
            severity: 'error',
            code: 'hash-not-base64',
            origin: 'check',
            message: l10n.t(
              'The hardware hash uses URL-safe Base64 ("{0}" at character {1}); Autopilot needs standard Base64 with + and / instead of - and _.',
              hash[verdict.index]!,
              verdict.index + 1,
            ),
          },
        },
      ];
    case 'padding': {
      const content = document.contentSpan(pointer);
      return [
        {
          span: content,
          details: {
            severity: 'error',
            code: 'hash-padding',
            origin: 'check',
            message: paddingMessage(hash, verdict.repaired),
            fix: { title: l10n.t('Repair the hash padding'), edits: [editAt(document.lines, content, verdict.repaired)] },
          },
        },
      ];
    }
    case 'valid':
      return sizeProblems(() => document.contentSpan(pointer), verdict.bytes);
  }
}

/** The span is only looked up when there is something to report: most hashes are fine. */
function sizeProblems(span: () => TextSpan, bytes: number): { span: TextSpan; details: ProblemDetails }[] {
  if (bytes < PLAUSIBLE_HASH_BYTES.min) {
    return [
      {
        span: span(),
        details: {
          severity: 'warning',
          code: 'hash-too-short',
          origin: 'check',
          message: l10n.t(
            'The hardware hash decodes to only {0} bytes; real hashes are about 4 KB. It may be truncated: Intune would answer InvalidZtdHardwareHash.',
            bytes,
          ),
        },
      },
    ];
  }
  if (bytes > PLAUSIBLE_HASH_BYTES.max) {
    return [
      {
        span: span(),
        details: {
          severity: 'warning',
          code: 'hash-too-long',
          origin: 'check',
          message: l10n.t('The hardware hash decodes to {0} bytes; real hashes are about 4 KB. Check that two values were not pasted together.', bytes),
        },
      },
    ];
  }
  return [];
}

export function deviceProblems(document: SourceDocument): PayloadProblem[] {
  const problems: PayloadProblem[] = [];
  const report = (span: TextSpan, details: ProblemDetails) => problems.push(problemAt(document.lines, span, details));
  const lineOf = (index: number) => document.lines.positionAt(document.recordSpan(index).start).line;
  const firstWithHash = new FirstHashes();
  const firstWithSerial = new Map<string, number>();

  document.records.forEach((record, index) => {
    const pointer = document.recordPointer(index);
    const unfilled = new Set<string>();
    for (const [field, what] of Object.entries(TEMPLATE_FIELDS)) {
      const value = stringField(record, field);
      if (value === undefined || !isTemplatePlaceholder(value)) continue;
      unfilled.add(field);
      report(document.contentSpan(`${pointer}/${field}`), {
        severity: 'error',
        code: 'template-placeholder',
        origin: 'check',
        message: l10n.t('Fill in {0}: replace "{1}" with {2}.', field, value, what()),
      });
    }
    // An unfilled value is not checked as a hash or a serial: it is not one yet.
    const hash = unfilled.has('hardwareIdentifier') ? undefined : stringField(record, 'hardwareIdentifier');
    const serial = unfilled.has('serialNumber') ? undefined : stringField(record, 'serialNumber');
    if (hash !== undefined) {
      for (const { span, details } of hashProblems(document, `${pointer}/hardwareIdentifier`, hash)) report(span, details);
    }
    if (serial !== undefined && isPlaceholderSerial(serial)) {
      report(document.contentSpan(`${pointer}/serialNumber`), {
        severity: 'warning',
        code: 'placeholder-serial',
        origin: 'check',
        message: l10n.t(
          '"{0}" is a firmware placeholder, not a real serial number: Intune may import it, but you cannot tell such devices apart. Ask the OEM for a BIOS with the serial set.',
          serial,
        ),
      });
    }

    const removal = document.recordRemovalSpan(index);
    const earlierHash = hash === undefined ? undefined : firstWithHash.firstIndexOf(hash, index);
    if (earlierHash !== undefined) {
      report(document.contentSpan(`${pointer}/hardwareIdentifier`), {
        severity: 'error',
        code: 'duplicate-hash',
        origin: 'check',
        message: l10n.t(
          'Same hardware hash as the device on line {0}: Intune would import one and fail the other with ZtdDeviceDuplicated. Remove this one.',
          lineOf(earlierHash),
        ),
        ...(removal ? { fix: { title: l10n.t('Remove this duplicate device'), edits: [editAt(document.lines, removal, '')] } } : {}),
      });
    }

    const serialKey = serial?.trim().toUpperCase();
    const earlierSerial = serialKey === undefined ? undefined : firstWithSerial.get(serialKey);
    if (earlierSerial !== undefined && earlierHash === undefined && !isPlaceholderSerial(serial!)) {
      report(document.contentSpan(`${pointer}/serialNumber`), {
        severity: 'warning',
        code: 'duplicate-serial',
        origin: 'check',
        message: l10n.t(
          'Serial number {0} also belongs to the device on line {1}, with another hash. Check which one is right: a reused serial makes devices hard to tell apart.',
          serial!,
          lineOf(earlierSerial),
        ),
      });
    } else if (serialKey !== undefined && earlierSerial === undefined) {
      firstWithSerial.set(serialKey, index);
    }
  });
  return problems;
}
