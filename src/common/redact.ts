/**
 * Keeps hardware hashes, product keys and tokens out of logs and messages. Graph echoes an unparsable hash back in
 * its error text ("Cannot convert the literal '…' to the expected type 'Edm.Binary'"), so any text that came from
 * a server passes through `redactSecrets` before it is logged or shown.
 */
import { createHash } from 'node:crypto';

/** Runs of Base64/Base64url/JWT characters long enough to hide a hash or token. */
const CANDIDATE = /[A-Za-z0-9+/=_.-]{24,}/g;
/** GUIDs (record ids, request ids) are long but safe and useful in logs. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Windows product keys: five groups of five. */
const PRODUCT_KEY = /\b[A-Z0-9]{5}(?:-[A-Z0-9]{5}){4}\b/g;
/** Whatever Graph quotes as an unconvertible literal is payload data. */
const QUOTED_LITERAL = /(literal ')([^']*)(')/g;

/** A URL path or dotted name (`deviceManagement/importedWindowsAutopilotDeviceIdentities/<guid>`) is not a secret. */
function isHarmless(run: string): boolean {
  return run.split(/[/.]/).every((part) => part.length < 16 || GUID.test(part) || /^[A-Za-z_-]*$/.test(part));
}

export function redactSecrets(text: string): string {
  return text
    .replace(QUOTED_LITERAL, (_match, open: string, literal: string, close: string) =>
      literal.length > 8 ? `${open}<redacted ${literal.length} chars>${close}` : `${open}${literal}${close}`,
    )
    .replace(CANDIDATE, (run) => (isHarmless(run) ? run : `<redacted ${run.length} chars>`))
    .replace(PRODUCT_KEY, '<redacted product key>');
}

/** A short, stable, non-reversible tag for a hardware hash, so log lines can tell devices apart. */
export function hashFingerprint(hardwareIdentifier: string): string {
  return createHash('sha256').update(hardwareIdentifier.trim()).digest('hex').slice(0, 8);
}
