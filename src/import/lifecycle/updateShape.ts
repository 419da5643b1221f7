/**
 * What an update file looks like (SPEC 6.2), apart from reading it: its columns, and how it is told apart from a
 * hardware-hash payload — it carries no hardware hash. Light on purpose: the editor asks this of every payload it
 * opens, before anything heavy is loaded, and the terminal's `plan` and `delete --file` ask the same.
 */
import { loosely, recogniseHeader } from '../../payload/csvColumns';

/** The properties an update may change (`updateDeviceProperties`). */
export const UPDATABLE_FIELDS = ['groupTag', 'displayName', 'userPrincipalName'] as const;
export type UpdatableField = (typeof UPDATABLE_FIELDS)[number];

const COLUMN_FIELDS: Readonly<Record<string, 'serialNumber' | UpdatableField>> = {
  serialnumber: 'serialNumber',
  deviceserialnumber: 'serialNumber',
  grouptag: 'groupTag',
  orderid: 'groupTag',
  displayname: 'displayName',
  devicename: 'displayName',
  assigneduser: 'userPrincipalName',
  userprincipalname: 'userPrincipalName',
  assigneduserprincipalname: 'userPrincipalName',
};

const isUpdatable = (field: string | undefined): boolean => (UPDATABLE_FIELDS as readonly (string | undefined)[]).includes(field);

/** The update property a CSV column or JSON key names, if any. */
export function columnField(header: string): 'serialNumber' | UpdatableField | undefined {
  return COLUMN_FIELDS[loosely(header)];
}

/** Whether a CSV column or JSON key holds a hardware hash (`Hardware Hash`, `hardwareIdentifier`, `hash`). */
function namesHash(name: string): boolean {
  const meaning = recogniseHeader(name)?.meaning;
  return (meaning?.kind === 'field' && meaning.field === 'hardwareIdentifier') || ['hardwareidentifier', 'hash'].includes(loosely(name));
}

const JSON_KEY = /"((?:[^"\\\r\n]|\\.)*)"\s*:/g;

/** What a file's text says about itself, as far as telling update files and serial lists from payloads goes. */
function shape(text: string): { readonly serials: boolean; readonly changes: boolean } {
  const body = text.replace(/^\uFEFF/, '');
  if (/^\s*[[{]/.test(body)) {
    const list = /^\s*\[/.test(body);
    let changes = false;
    for (const match of body.matchAll(JSON_KEY)) {
      const key = match[1]!;
      if (key === 'importedWindowsAutopilotDeviceIdentities' || namesHash(key)) return { serials: false, changes: false };
      // JSON update files use the Graph names exactly (the update rule refuses any other key).
      if (isUpdatable(key)) changes = true;
    }
    return { serials: list, changes: list && changes };
  }
  const header = body.split(/\r?\n/, 1)[0] ?? '';
  const cells = header.split(/[,;\t]/).map((cell) => cell.replace(/"/g, '').trim());
  const serials = !cells.some(namesHash) && cells.some((cell) => columnField(cell) === 'serialNumber');
  return { serials, changes: serials && cells.some((cell) => isUpdatable(columnField(cell))) };
}

/**
 * Whether a file lists devices by serial number and carries no hardware hash: a CSV with a serial-number column and
 * no hash column, or a JSON array of devices none of which has a hash. What `delete --file` and `add-to-group --file`
 * read serials from.
 */
export function listsSerials(text: string): boolean {
  return shape(text).serials;
}

/**
 * Whether a file is an update file rather than a hardware-hash payload: it lists serials (above) and names something
 * to change (a Group Tag, Display Name or Assigned User column; a `groupTag`, `displayName` or `userPrincipalName`
 * key). A device list with neither a hash nor a change, such as `[{"serialNumber": "…"}]`, is an unfinished payload.
 */
export function looksLikeUpdateFile(text: string): boolean {
  return shape(text).changes;
}
