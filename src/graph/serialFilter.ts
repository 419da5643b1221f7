/**
 * Building a `$filter` that finds a serial number, within what Intune accepts (facts page §1.6): `eq` answers 400,
 * and so does any `contains` literal with a hyphen, so we filter on the longest hyphen/space-free piece of the
 * serial and match exactly on our side (`contains` is a substring match).
 */

/** The `$filter` to send, or undefined when the serial has no usable piece (then the caller lists everything). */
export function serialContainsFilter(serial: string): string | undefined {
  const pieces = serial.trim().split(/[\s-]+/).filter(Boolean);
  const longest = pieces.reduce<string>((best, piece) => (piece.length > best.length ? piece : best), '');
  if (!longest) return undefined;
  return `contains(serialNumber,'${longest.replace(/'/g, "''")}')`;
}

/** A serial number as it compares: without surrounding blanks and case-insensitively, as the portal does. */
export function serialKey(serial: string | null | undefined): string {
  return typeof serial === 'string' ? serial.trim().toUpperCase() : '';
}

export function sameSerial(a: string | null | undefined, b: string | null | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  return serialKey(a) === serialKey(b);
}
