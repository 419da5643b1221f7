/**
 * The sample workspace `npm start` opens: a clean hardware-hash CSV, a JSON payload whose import shows Intune's 806
 * and 808, and a broken CSV whose problems (and quick fixes) show in the editor. Written fresh on every start. The
 * JSON payload holds the two devices the sandbox tenant has import records for from earlier imports: the one
 * registered here (806 again) and one whose earlier import failed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fakeDevices } from '../emulator/hashes';
import type { SandboxTenant } from '../emulator/sandboxTenant';

const HEADER = 'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag';

function csv(rows: readonly string[]): string {
  return `${[HEADER, ...rows].join('\r\n')}\r\n`;
}

// One line per paragraph: the guide opens as text, where VS Code wraps Markdown lines to the editor's width.
function guide(tenant: Pick<SandboxTenant, 'registered' | 'earlierFailure' | 'foreign'>): string {
  return [
    '# Autopilot Devices sandbox',
    '',
    'Everything here talks to a sandbox tenant on this machine (an emulated Entra ID and Microsoft Graph); nothing reaches Microsoft. The terminal that ran `npm start` shows the same sandbox\'s details and a terminal command to try.',
    '',
    '1. **Sign in**: click *Sign in to Intune* in the status bar (or *Sign In* in the Autopilot view) and choose *Sign in with a device code*. In the notification, click *Copy code and open*: the sandbox\'s sign-in page opens with the account `adele@contoso.onmicrosoft.com` filled in; paste the code and click *Next*. (Or press Enter in the terminal to approve the code.) The notification closes once you are signed in.',
    '2. **Import a clean CSV**: right-click `hardware-hashes.csv` in the Explorer and choose *Import Autopilot Devices…*, then press Enter to keep the file\'s group tags. The run is selected in Recent Imports, where each device spins until Intune has processed it, then shows *complete* until it is registered.',
    `3. **See Intune's failures explained**: import \`returns.autopilot.json\` (the cloud button in the editor title). Before anything is sent, its plan says one device is registered here already and would fail with 806 (*Import 5 New Only* skips it); choose *Import All 6* to see Intune's answers. Two of its devices cannot be imported, and hovering over them says why and what to do:`,
    `   - \`${tenant.registered.serialNumber}\` is already registered in this tenant (806). There is nothing to import: right-click it and choose *Find Registered Device…* to see what Intune holds, and *Delete Import Record* to remove the failed record.`,
    `   - \`${tenant.foreign.serialNumber}\` is registered to another tenant (808). An administrator of that tenant, or the reseller, has to deregister it before it can be imported here.`,
    '',
    '   Importing them again would fail the same way, so *Retry Failed Devices* is not offered for them; it is for failures on Intune\'s side that a retry can fix.',
    `   (\`${tenant.earlierFailure.serialNumber}\` failed in an earlier import; its old record is left alone, and this import brings it in.)`,
    '4. **See problems before sending**: open `broken.csv`: an unpadded hash (the quick fix repairs the padding), a duplicate hash and a placeholder serial number. Importing it is refused until the errors are fixed.',
    '5. **Write a payload with IntelliSense**: run *Autopilot: New Device Payload* from the Command Palette, type the serial number, press Tab, paste a hardware hash, press Tab for the group tag.',
    '',
  ].join('\n');
}

export function writeSampleWorkspace(folder: string, tenant: Pick<SandboxTenant, 'registered' | 'earlierFailure' | 'foreign'>): void {
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  const lab = fakeDevices(6, 'PF0A');
  fs.writeFileSync(path.join(folder, 'hardware-hashes.csv'), csv(lab.map((device, i) => `${device.serialNumber},,${device.hardwareIdentifier},${i < 3 ? 'Sales' : 'Kiosk'}`)));

  // The devices already registered keep their own serial numbers, as real hardware would: Find Registered Device finds
  // them. The earlier failure was imported before and failed; its old record stays, and this import brings it in.
  const returns = [...fakeDevices(3, 'RET'), tenant.earlierFailure, tenant.registered, tenant.foreign].map((device) => ({ ...device, groupTag: 'Returns' }));
  fs.writeFileSync(path.join(folder, 'returns.autopilot.json'), `${JSON.stringify({ importedWindowsAutopilotDeviceIdentities: returns }, null, 2)}\n`);

  const [padded, duplicated] = fakeDevices(2, 'BRK');
  fs.writeFileSync(
    path.join(folder, 'broken.csv'),
    csv([
      `${padded!.serialNumber},,${padded!.hardwareIdentifier.replace(/=+$/, '')},Sales`,
      `${duplicated!.serialNumber},,${duplicated!.hardwareIdentifier},Sales`,
      `BRK-COPY,,${duplicated!.hardwareIdentifier},Sales`,
      `To Be Filled By O.E.M.,,${fakeDevices(1, 'OEM')[0]!.hardwareIdentifier},Sales`,
    ]),
  );
  fs.writeFileSync(path.join(folder, 'README.md'), guide(tenant));
}
