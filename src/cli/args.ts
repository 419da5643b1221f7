/**
 * `autopilot-devices` argument parsing (SPEC section 6): options may come before or after the files, `--flag value`
 * and `--flag=value` both work, `--` ends the options, and anything unknown is a usage error (exit 2).
 */
import * as l10n from '@vscode/l10n';
import { API_VERSIONS, type ApiVersion } from '../graph/client';
import { CLOUD_NAMES, type CloudName } from '../graph/clouds';
import { MAX_BATCH_SIZE } from '../import/settings';
import { VALIDATE_FORMATS, type ValidateFormat } from './validateFormats';

/** `identifiers import|list|delete` (SPEC 6.3) are read as one command name each. */
export const IDENTIFIERS_COMMANDS = ['identifiers import', 'identifiers list', 'identifiers delete'] as const;
export type IdentifiersCommandName = (typeof IDENTIFIERS_COMMANDS)[number];
/** Commands that change registered devices (SPEC 6.2). */
export const LIFECYCLE_COMMANDS = ['devices', 'plan', 'update', 'delete', 'add-to-group'] as const;
export type LifecycleCommandName = (typeof LIFECYCLE_COMMANDS)[number];
export type CommandName = 'validate' | 'import' | 'resume' | 'status' | 'sync' | 'whoami' | LifecycleCommandName | IdentifiersCommandName;
export const COMMANDS: readonly CommandName[] = ['validate', 'import', 'resume', 'status', 'sync', 'whoami', ...LIFECYCLE_COMMANDS, ...IDENTIFIERS_COMMANDS];
/** Commands that change registered devices (SPEC 6.2), journaled like imports. */
const CHANGE_COMMANDS: readonly CommandName[] = ['update', 'delete', 'add-to-group'];
/** Commands that take file or serial arguments. */
const WITH_ARGUMENTS: readonly CommandName[] = ['validate', 'import', 'plan', 'update', 'delete', 'add-to-group'];

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CliOptions {
  json: boolean;
  verbose: boolean;
  wait: boolean;
  noSync: boolean;
  groupTag?: string;
  batchSize?: number;
  journal?: string;
  pollIntervalSeconds?: number;
  timeoutSeconds?: number;
  cloud?: CloudName;
  graphRoot?: string;
  authority?: string;
  tenant?: string;
  apiVersion?: ApiVersion;
  /** `validate --format`; `--json` is the same as `--format json`. */
  format?: ValidateFormat;
  /** `--managed-identity` (true: system-assigned) or `--managed-identity=CLIENT_ID` (user-assigned). */
  managedIdentity?: true | string;
  /** `identifiers import --overwrite`: identifiers the tenant has already are sent again and replaced. */
  overwrite?: boolean;
  /** `update|delete|identifiers delete --yes`: no question first. */
  yes?: boolean;
  /** `devices --serial`. */
  serial?: string;
  /** `delete|add-to-group --file`: serials from a file (one per line, or a CSV with a serial column). */
  file?: string;
  dryRun?: boolean;
  skipRegistered?: boolean;
  waitProfile?: boolean;
}

export interface ParsedCommand {
  readonly command: CommandName;
  readonly files: string[];
  readonly options: CliOptions;
}

type Setter = (options: CliOptions, value: string) => void;

interface FlagSpec {
  readonly commands: readonly CommandName[];
  /** Present for flags that take a value. */
  readonly set?: Setter;
  readonly toggle?: (options: CliOptions) => void;
  /** For a toggle that may also take `=value` (never the next argument, which may be a file). */
  readonly setInline?: Setter;
}

const GRAPH_COMMANDS: readonly CommandName[] = ['import', 'resume', 'status', 'sync', 'devices', 'plan', ...CHANGE_COMMANDS];
/** Commands that sign in: the Graph commands and `whoami`. */
const SIGN_IN_COMMANDS: readonly CommandName[] = [...GRAPH_COMMANDS, 'whoami'];

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!text.trim() || !Number.isFinite(value) || value <= 0) throw new UsageError(l10n.t('{0} needs a positive number of seconds, not "{1}".', flag, text));
  return value;
}

const FLAGS: Record<string, FlagSpec> = {
  '--json': { commands: COMMANDS, toggle: (o) => (o.json = true) },
  '--format': {
    commands: ['validate'],
    set: (o, v) => {
      if (!VALIDATE_FORMATS.includes(v as ValidateFormat)) throw new UsageError(l10n.t('--format must be one of {0}, not "{1}".', VALIDATE_FORMATS.join(', '), v));
      o.format = v as ValidateFormat;
    },
  },
  '--managed-identity': {
    commands: [...SIGN_IN_COMMANDS, ...IDENTIFIERS_COMMANDS],
    toggle: (o) => (o.managedIdentity = true),
    setInline: (o, v) => {
      if (!v.trim()) throw new UsageError(l10n.t('--managed-identity= needs the client ID of a user-assigned identity.'));
      o.managedIdentity = v.trim();
    },
  },
  '--verbose': { commands: COMMANDS, toggle: (o) => (o.verbose = true) },
  '--wait': { commands: ['import', 'resume'], toggle: (o) => (o.wait = true) },
  '--no-sync': { commands: ['import', 'resume'], toggle: (o) => (o.noSync = true) },
  '--group-tag': { commands: ['import', 'devices'], set: (o, v) => (o.groupTag = v) },
  '--serial': { commands: ['devices'], set: (o, v) => (o.serial = v) },
  '--file': { commands: ['delete', 'add-to-group'], set: (o, v) => (o.file = v) },
  '--dry-run': { commands: ['update', 'delete'], toggle: (o) => (o.dryRun = true) },
  '--yes': { commands: ['update', 'delete', 'identifiers delete'], toggle: (o) => (o.yes = true) },
  '--skip-registered': { commands: ['import'], toggle: (o) => (o.skipRegistered = true) },
  '--wait-profile': { commands: ['import'], toggle: (o) => (o.waitProfile = o.wait = true) },
  '--batch-size': {
    commands: ['import', 'identifiers import'],
    set: (o, v) => {
      const size = Number(v);
      if (!/^\d+$/.test(v) || size < 1 || size > MAX_BATCH_SIZE) throw new UsageError(l10n.t('--batch-size must be a whole number from 1 to {0}, not "{1}".', MAX_BATCH_SIZE, v));
      o.batchSize = size;
    },
  },
  '--journal': { commands: ['import', 'resume', 'status', 'identifiers import', ...CHANGE_COMMANDS], set: (o, v) => (o.journal = v) },
  '--poll-interval': { commands: ['import', 'resume', 'status'], set: (o, v) => (o.pollIntervalSeconds = positiveNumber('--poll-interval', v)) },
  '--timeout': { commands: ['import', 'resume'], set: (o, v) => (o.timeoutSeconds = positiveNumber('--timeout', v)) },
  '--cloud': {
    commands: COMMANDS,
    set: (o, v) => {
      if (!CLOUD_NAMES.includes(v as CloudName)) throw new UsageError(l10n.t('--cloud must be one of {0}, not "{1}".', CLOUD_NAMES.join(', '), v));
      o.cloud = v as CloudName;
    },
  },
  '--graph-root': { commands: COMMANDS, set: (o, v) => (o.graphRoot = urlValue('--graph-root', v)) },
  '--authority': { commands: COMMANDS, set: (o, v) => (o.authority = urlValue('--authority', v)) },
  '--tenant': { commands: COMMANDS, set: (o, v) => (o.tenant = v) },
  '--api-version': {
    commands: COMMANDS,
    set: (o, v) => {
      if (!API_VERSIONS.includes(v as ApiVersion)) throw new UsageError(l10n.t('--api-version must be one of {0}, not "{1}".', API_VERSIONS.join(', '), v));
      o.apiVersion = v as ApiVersion;
    },
  },
  '--overwrite': { commands: ['identifiers import'], toggle: (o) => (o.overwrite = true) },
};

function urlValue(flag: string, text: string): string {
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http');
    return text;
  } catch {
    throw new UsageError(l10n.t('{0} needs an http(s) URL, not "{1}".', flag, text));
  }
}

/** Whether the raw arguments ask for JSON, so even a usage error can answer in the promised format. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

export function parseArguments(argv: readonly string[]): ParsedCommand {
  const [name, ...rest] = identifiersCommandName(argv);
  if (!COMMANDS.includes(name as CommandName)) throw new UsageError(l10n.t("unknown command '{0}'", name ?? ''));
  const command = name as CommandName;
  const options: CliOptions = { json: false, verbose: false, wait: false, noSync: false };
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--') {
      files.push(...rest.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      files.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = FLAGS[flag];
    if (!spec) throw new UsageError(l10n.t("unknown option '{0}'", flag));
    if (!spec.commands.includes(command)) throw new UsageError(l10n.t("'{0}' is not an option of '{1}'", flag, command));
    if (spec.toggle) {
      if (eq > 0 && spec.setInline) {
        spec.setInline(options, arg.slice(eq + 1));
        continue;
      }
      if (eq > 0) throw new UsageError(l10n.t("'{0}' takes no value", flag));
      spec.toggle(options);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined) throw new UsageError(l10n.t("'{0}' needs a value", flag));
    spec.set!(options, value);
  }
  if ((command === 'validate' || command === 'import' || command === 'plan' || command === 'update') && files.length === 0) throw new UsageError(l10n.t("'{0}' needs at least one file", command));
  if (command === 'add-to-group' && files.length === 0) throw new UsageError(l10n.t("'add-to-group' needs a group id or name, then serial numbers or --file FILE"));
  const serials = command === 'add-to-group' ? files.length - 1 : files.length;
  if ((command === 'delete' || command === 'add-to-group') && (serials > 0) === (options.file !== undefined)) {
    throw new UsageError(l10n.t("'{0}' needs serial numbers or --file FILE (one of them)", command));
  }
  if (SIGN_IN_COMMANDS.includes(command) && !WITH_ARGUMENTS.includes(command) && files.length) throw new UsageError(l10n.t("'{0}' takes no files (got '{1}')", command, files[0]!));
  if (options.dryRun && options.yes) throw new UsageError(l10n.t("'--dry-run' changes nothing, so '--yes' has nothing to confirm: choose one"));
  if (options.json && options.format && options.format !== 'json') throw new UsageError(l10n.t("'--json' and '--format {0}' ask for different outputs: choose one", options.format));

  checkIdentifiersArguments(command, files);
  return { command, files, options };
}

/** `identifiers <action> …` as the one command `identifiers <action>`, followed by the rest of the arguments. */
function identifiersCommandName(argv: readonly string[]): string[] {
  if (argv[0] !== 'identifiers') return [...argv];
  const action = argv[1];
  if (action === undefined || action.startsWith('-')) throw new UsageError(l10n.t("'identifiers' needs an action: import, list or delete"));
  return [`identifiers ${action}`, ...argv.slice(2)];
}

function checkIdentifiersArguments(command: CommandName, values: readonly string[]): void {
  if (command === 'identifiers import' && values.length === 0) throw new UsageError(l10n.t("'{0}' needs at least one file", command));
  if (command === 'identifiers list' && values.length) throw new UsageError(l10n.t("'{0}' takes no files (got '{1}')", command, values[0]!));
  if (command === 'identifiers delete' && values.length === 0) throw new UsageError(l10n.t("'{0}' needs at least one identifier (\"Manufacturer,Model,Serial\")", command));
}

export const USAGE = `Usage:
  autopilot-devices validate <file>... [--json | --format text|json|github|sarif]
  autopilot-devices import <file>... [--group-tag TAG] [--batch-size N] [--wait] [--no-sync] [--json] [--journal DIR]
  autopilot-devices resume [--journal DIR] [--wait] [--no-sync] [--json]
  autopilot-devices status [--journal DIR] [--json]
  autopilot-devices identifiers import <file>... [--overwrite] [--batch-size N] [--json] [--journal DIR]
  autopilot-devices identifiers list [--json]
  autopilot-devices identifiers delete <identifier>... [--yes] [--json]      # identifier: "Manufacturer,Model,Serial"
  autopilot-devices sync [--json]
  autopilot-devices whoami [--json]          # which credential, app, tenant and cloud; the token's roles, never the token
  autopilot-devices devices [--serial TEXT] [--group-tag TAG] [--json]          # registered Autopilot devices
  autopilot-devices plan <file>... [--json]                                     # what import/update would do, sends nothing
  autopilot-devices import <file>... [--skip-registered] [--wait-profile] …     # as above, plus these
  autopilot-devices update <file>... [--dry-run] [--yes] [--json]               # group tag / display name / user by serial
  autopilot-devices delete (<serial>... | --file FILE) [--dry-run] [--yes] [--json]
  autopilot-devices add-to-group <group id or name> (<serial>... | --file FILE) [--json]
common: --cloud global|usgov|usgovdod|china|custom  --graph-root URL  --authority URL  --tenant ID  --api-version v1.0|beta
        --poll-interval SECONDS  --timeout SECONDS (how long --wait waits)  --verbose  --managed-identity[=CLIENT_ID]
Credentials come from the environment; when several are set, the first of these wins:
  1. AUTOPILOT_ACCESS_TOKEN (a bearer token from elsewhere)
  2. workload identity federation: AZURE_FEDERATED_TOKEN_FILE (or AUTOPILOT_FEDERATED_TOKEN_FILE) with AZURE_CLIENT_ID
     (or AUTOPILOT_CLIENT_ID) and AZURE_TENANT_ID (or --tenant / AUTOPILOT_TENANT_ID); the file is read for every token
  3. managed identity: --managed-identity[=CLIENT_ID] or AUTOPILOT_MANAGED_IDENTITY=1 (or =CLIENT_ID)
  4. AUTOPILOT_CLIENT_ID with AUTOPILOT_CLIENT_SECRET (or AUTOPILOT_CLIENT_CERTIFICATE) and --tenant / AUTOPILOT_TENANT_ID
Proxy: HTTPS_PROXY / HTTP_PROXY (http://USER:PASSWORD@host:port) and NO_PROXY, either case, for Graph and sign-in;
a TLS-inspecting proxy's CA goes in NODE_EXTRA_CA_CERTS.
Exit codes: 0 all good, 1 validation errors or failure before sending, 2 usage error, 3 some devices failed,
4 interrupted or timed out with devices pending (run 'resume').
`;
