/**
 * The columns of the Autopilot hardware-hash CSV, as the Intune portal takes them and `Get-WindowsAutopilotInfo`
 * writes them (3, 4 or 5 columns, or the partner variant with manufacturer and model). Reading and the portal export
 * both use this table.
 */

/** Device properties a CSV column carries, in the portal's column order. */
export const PORTAL_COLUMNS = [
  { field: 'serialNumber', header: 'Device Serial Number' },
  { field: 'productKey', header: 'Windows Product ID' },
  { field: 'hardwareIdentifier', header: 'Hardware Hash' },
  { field: 'groupTag', header: 'Group Tag' },
  { field: 'assignedUserPrincipalName', header: 'Assigned User' },
] as const;

export type CsvField = (typeof PORTAL_COLUMNS)[number]['field'];

/** Columns of `Get-WindowsAutopilotInfo -Partner`: meant for partner (CSP) uploads; Graph has no place for them. */
export const PARTNER_HEADERS = ['Manufacturer name', 'Device model'] as const;

/** The group tag's old column name, which `Import-AutopilotCSV` still reads. */
export const LEGACY_GROUP_TAG_HEADERS = ['OrderID', 'Order ID'] as const;

export type ColumnMeaning =
  | { readonly kind: 'field'; readonly field: CsvField; readonly header: string }
  | { readonly kind: 'partner'; readonly header: string }
  | { readonly kind: 'legacy-group-tag'; readonly header: string };

/** Case, spaces, underscores and hyphens do not change which column a header means (the portal is stricter). */
export function loosely(header: string): string {
  return header.toLowerCase().replace(/[\s_-]+/g, '');
}

const MEANINGS = new Map<string, ColumnMeaning>([
  ...PORTAL_COLUMNS.map(({ field, header }) => [loosely(header), { kind: 'field', field, header }] as const),
  ...PARTNER_HEADERS.map((header) => [loosely(header), { kind: 'partner', header }] as const),
  ...LEGACY_GROUP_TAG_HEADERS.map((header) => [loosely(header), { kind: 'legacy-group-tag', header: 'OrderID' }] as const),
]);

/** What a header cell means, and whether it is written exactly as the portal expects. */
export function recogniseHeader(cell: string): { meaning: ColumnMeaning; exact: boolean } | undefined {
  const meaning = MEANINGS.get(loosely(cell));
  if (!meaning) return undefined;
  const exact = meaning.kind === 'legacy-group-tag' ? (LEGACY_GROUP_TAG_HEADERS as readonly string[]).includes(cell) : cell === meaning.header;
  return { meaning, exact };
}

/** The portal header for a set of devices: the 3-, 4- or 5-column variant, whichever carries everything they have. */
export function portalColumnsFor(has: { groupTag: boolean; assignedUser: boolean }): (typeof PORTAL_COLUMNS)[number][] {
  const count = has.assignedUser ? 5 : has.groupTag ? 4 : 3;
  return PORTAL_COLUMNS.slice(0, count);
}
