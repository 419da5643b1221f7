// The terminal face of the engine: `autopilot-devices <command> …` (SPEC section 6).
import { version } from '../package.json';

const USAGE = `Usage:
  autopilot-devices validate <file>... [--json]
  autopilot-devices import <file>... [--group-tag TAG] [--batch-size N] [--wait] [--no-sync] [--json] [--journal DIR]
  autopilot-devices resume [--journal DIR] [--wait] [--json]
  autopilot-devices status [--journal DIR] [--json]
  autopilot-devices sync
common: --cloud global|usgov|usgovdod|china|custom  --graph-root URL  --authority URL  --tenant ID  --api-version v1.0|beta
`;

export const EXIT_USAGE = 2;

export function main(argv: readonly string[]): number {
  const [command] = argv;
  if (command === '--version') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command === undefined ? EXIT_USAGE : 0;
  }
  process.stderr.write(`autopilot-devices: unknown command '${command}'\n\n${USAGE}`);
  return EXIT_USAGE;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
