/**
 * The sample workspace `npm start` opens: a clean hardware-hash CSV, a JSON payload whose import shows Intune's 806
 * and 808, and a broken CSV whose problems (and quick fixes) show in the editor. Written fresh on every start. The
 * JSON payload holds the two devices the sandbox tenant has import records for from earlier imports: the one
 * registered here (806 again) and one whose earlier import failed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fakeDevices } from '../emulator/hashes';
import { sandboxDevices, type SandboxTenant } from '../emulator/sandboxTenant';

const HEADER = 'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag';

function csv(rows: readonly string[]): string {
  return `${[HEADER, ...rows].join('\r\n')}\r\n`;
}

const GUIDE = `# Autopilot Devices sandbox

Everything here talks to a sandbox tenant on this machine (an emulated Entra ID and Microsoft Graph); nothing reaches
Microsoft. The terminal that ran \`npm start\` tells you how to sign in.

1. **Sign in**: click *Sign in to Intune* in the status bar (or the Autopilot view in the activity bar) and choose
   *Sign in with a device code*. Enter the code at the sandbox's device login page with the account
   \`adele@contoso.onmicrosoft.com\` — or press Enter in the terminal to approve it.
2. **Import a clean CSV**: right-click \`hardware-hashes.csv\` in the Explorer and choose *Import Autopilot Devices…*.
   Press Enter to keep the file's group tags. Recent Imports shows each device until Intune has processed it, then
   until it is registered.
3. **See Intune's failures explained**: import \`store-returns.autopilot.json\` (the button in the editor title, or
   the context menu). One device is already registered in this tenant (806), one is registered to another tenant
   (808); hover over them for the explanation and the fix, and try *Retry Failed Devices*.
4. **See problems before sending**: open \`broken.csv\` — an unpadded hash (quick fix: repair the padding), a duplicate
   hash and a placeholder serial number. *Import Autopilot Devices…* refuses it until the errors are fixed.
5. **Write a payload with IntelliSense**: *Autopilot: New Device Payload* from the Command Palette.
`;

export function writeSampleWorkspace(folder: string, tenant: Pick<SandboxTenant, 'registered' | 'earlierFailure' | 'foreign'>): void {
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  const lab = fakeDevices(6, 'PF0A');
  fs.writeFileSync(path.join(folder, 'hardware-hashes.csv'), csv(lab.map((device, i) => `${device.serialNumber},,${device.hardwareIdentifier},${i < 3 ? 'Sales' : 'Kiosk'}`)));

  // The registered device comes back under its own serial number (806 again); the other was imported before and failed.
  const [first, second, third, , resold] = sandboxDevices(tenant, 3, 'RET');
  const returns = [first!, second!, third!, tenant.earlierFailure, tenant.registered, resold!].map((device) => ({ ...device, groupTag: 'Refurbished' }));
  fs.writeFileSync(path.join(folder, 'store-returns.autopilot.json'), `${JSON.stringify({ importedWindowsAutopilotDeviceIdentities: returns }, null, 2)}\n`);

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
  fs.writeFileSync(path.join(folder, 'README.md'), GUIDE);
}
