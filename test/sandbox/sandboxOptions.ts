/** The sandbox's command line (`npm start -- …`): strict, so a typo or `--help` never starts a sandbox by accident. */
import * as path from 'node:path';
import { parseArgs } from 'node:util';

export interface SandboxOptions {
  readonly help: boolean;
  /** The sandbox's own folder: workspace, certificates, journal; removed when it stops. */
  readonly folder: string;
  /** code-server's port (0: a free one). */
  readonly port: number;
  readonly processingDelaySeconds: number;
  readonly registrationDelaySeconds: number;
}

export const SANDBOX_USAGE = `Usage: npm start -- [options]

Starts a sandbox tenant (emulated Entra ID and Microsoft Graph) and VS Code in your browser with the extension and a
sample workspace, and prints the URL to open. Ctrl-C stops everything and removes the sandbox's files.

Options:
  --port N                     code-server's port (default: a free one)
  --processing-delay SECONDS   how long Intune takes to process an import record (default 8)
  --registration-delay SECONDS how long a completed device takes to appear as registered (default 45)
  --folder DIR                 the sandbox's own folder (default test-output/sandbox); a second sandbox needs its own
  -h, --help                   show this and exit
`;

function seconds(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!text.trim() || !Number.isFinite(value) || value < 0) throw new Error(`--${name} needs a number of seconds, not "${text}".`);
  return value;
}

export function parseSandboxOptions(argv: readonly string[], defaultFolder: string): SandboxOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        port: { type: 'string' },
        'processing-delay': { type: 'string' },
        'registration-delay': { type: 'string' },
        folder: { type: 'string' },
      },
    }));
  } catch (error) {
    // Node's own words ("Unknown option '--x'. To specify a positional argument…") are longer than needed.
    const text = error instanceof Error ? error.message : String(error);
    throw new Error(`npm start: ${text.split(/\.(?: |\n)/)[0]!.replace(/\.$/, '')}.`);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`npm start: --port needs a port number, not "${values.port}".`);
  return {
    help: values.help === true,
    folder: path.resolve(values.folder ?? defaultFolder),
    port,
    processingDelaySeconds: seconds('processing-delay', values['processing-delay'], 8),
    registrationDelaySeconds: seconds('registration-delay', values['registration-delay'], 45),
  };
}
