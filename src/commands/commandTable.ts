import type { CommandHandler } from './registerCommands';
import type { ExtensionServices } from '../services';
import { showLog } from './showLog';
import { selectAccount } from './selectAccount';
import { signIn } from './signIn';
import { signOut } from './signOut';
import { convertCsvToJson } from './convertCsvToJson';
import { exportPortalCsv } from './exportPortalCsv';
import { newPayload } from './newPayload';
import { validateFile } from './validateFile';

/** The id → handler table: the single place that says which code runs for which contributed command. */
export function commandTable(services: ExtensionServices): Record<string, CommandHandler> {
  return {
    'autopilot.showLog': () => showLog(services.log),
    'autopilot.signIn': (args) => signIn(services, args),
    'autopilot.signOut': (accountId) => signOut(services, accountId),
    'autopilot.selectAccount': () => selectAccount(services),
    'autopilot.validateFile': (uri) => validateFile(services.payloads, uri),
    'autopilot.newPayload': () => newPayload(),
    'autopilot.convertCsvToJson': (uri) => convertCsvToJson(services.payloads, services.log, uri),
    'autopilot.exportPortalCsv': (uri) => exportPortalCsv(services.payloads, services.log, uri),
  };
}
