import type { CommandHandler } from './registerCommands';
import type { ExtensionServices } from '../services';
import { showLog } from './showLog';
import { selectAccount } from './selectAccount';
import { signIn } from './signIn';
import { signOut } from './signOut';

/** The id → handler table: the single place that says which code runs for which contributed command. */
export function commandTable(services: ExtensionServices): Record<string, CommandHandler> {
  return {
    'autopilot.showLog': () => showLog(services.log),
    'autopilot.signIn': (args) => signIn(services, args),
    'autopilot.signOut': (accountId) => signOut(services, accountId),
    'autopilot.selectAccount': () => selectAccount(services),
  };
}
