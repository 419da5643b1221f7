/**
 * Stand-in hardware hashes. Real ones are ~4 KB of binary, Base64-encoded (facts page §2.3); these are random bytes
 * of a realistic size, derived from a seed so tests and the benchmark can rebuild the same device list.
 */
import { createHash } from 'node:crypto';

export function fakeHardwareHash(seed: string, bytes = 1024): string {
  const chunks: Buffer[] = [];
  let block = createHash('sha256').update(seed).digest();
  let total = 0;
  while (total < bytes) {
    chunks.push(block);
    total += block.length;
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat(chunks).subarray(0, bytes).toString('base64');
}

/** Removes Base64 padding the way the device-level encoding does (the cause of Graph's Edm.Binary 400). */
export function unpadded(hash: string): string {
  return hash.replace(/=+$/, '');
}

export interface FakeDevice {
  serialNumber: string;
  hardwareIdentifier: string;
  groupTag?: string;
}

/** `count` distinct devices with serials `<prefix>000001`…; a 1021-byte hash always needs padding. */
export function fakeDevices(count: number, prefix = 'EMU', bytes = 1021): FakeDevice[] {
  return Array.from({ length: count }, (_, i) => {
    const serialNumber = `${prefix}${String(i + 1).padStart(6, '0')}`;
    return { serialNumber, hardwareIdentifier: fakeHardwareHash(serialNumber, bytes) };
  });
}
