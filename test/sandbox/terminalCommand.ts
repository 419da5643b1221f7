/** The terminal command `npm start` prints: ready to paste into a POSIX shell, its environment included. */

export interface TerminalCommandParts {
  readonly cli: string;
  readonly file: string;
  readonly journal: string;
  readonly caFile: string;
  readonly authority: string;
  readonly graphRoot: string;
  readonly clientId: string;
  readonly secret: string;
  readonly tenant: string;
}

/** A word for `sh`: as it is when it is plain, else in single quotes. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./~-]+$/.test(text) && !text.startsWith('~') ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The command's lines, each but the last ending in a line continuation. */
export function terminalCommand(parts: TerminalCommandParts): string[] {
  const assign = (name: string, value: string) => `${name}=${shellWord(value)}`;
  const lines = [
    [assign('NODE_EXTRA_CA_CERTS', parts.caFile)],
    [assign('AUTOPILOT_AUTHORITY', parts.authority), assign('AUTOPILOT_GRAPH_ROOT', parts.graphRoot)],
    [assign('AUTOPILOT_CLIENT_ID', parts.clientId), assign('AUTOPILOT_CLIENT_SECRET', parts.secret), assign('AUTOPILOT_TENANT_ID', parts.tenant)],
    ['node', shellWord(parts.cli), 'import', shellWord(parts.file), '--journal', shellWord(parts.journal), '--wait', '--poll-interval', '2'],
  ].map((words) => words.join(' '));
  return lines.map((line, index) => (index < lines.length - 1 ? `${line} \\` : line));
}
