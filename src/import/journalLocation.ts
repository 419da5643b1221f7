/** Where the terminal command keeps its journal when `--journal` is not given: a per-user state folder. */
import * as os from 'node:os';
import * as path from 'node:path';

export function defaultJournalDirectory(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  if (platform === 'win32') return path.win32.join(env.LOCALAPPDATA || path.win32.join(home, 'AppData', 'Local'), 'autopilot-devices');
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'autopilot-devices');
  // XDG: a relative XDG_STATE_HOME is invalid and must be ignored.
  const state = env.XDG_STATE_HOME && path.posix.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.posix.join(home, '.local', 'state');
  return path.posix.join(state, 'autopilot-devices');
}
