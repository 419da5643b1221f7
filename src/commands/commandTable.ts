import type { CommandHandler } from './registerCommands';
import type { ExtensionServices } from '../services';
import { showLog } from './showLog';

/** The id → handler table: the single place that says which code runs for which contributed command. */
export function commandTable(services: ExtensionServices): Record<string, CommandHandler> {
  return {
    'autopilot.showLog': () => showLog(services.log),
  };
}
