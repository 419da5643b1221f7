import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const nls: Record<string, string> = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8'));

function* stringsIn(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsIn(item);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) yield* stringsIn(item);
}

describe('package.json', () => {
  it('resolves every %key% through package.nls.json', () => {
    const keys = [...stringsIn(manifest)].flatMap((s) => [...s.matchAll(/^%([^%]+)%$/g)].map((m) => m[1]!));
    assert.ok(keys.length > 0);
    for (const key of keys) assert.ok(key in nls, `package.nls.json has no "${key}"`);
  });

  it('gives every command a localized title and the Autopilot category', () => {
    for (const command of manifest.contributes.commands) {
      assert.match(command.command, /^autopilot\./);
      assert.match(command.title, /^%.+%$/, `${command.command} title is not localized`);
      assert.equal(command.category, 'Autopilot');
    }
  });

  it('menus only name contributed commands', () => {
    const contributed = new Set(manifest.contributes.commands.map((c: { command: string }) => c.command));
    for (const entries of Object.values(manifest.contributes.menus ?? {}) as { command?: string }[][]) {
      for (const entry of entries) {
        if (entry.command) assert.ok(contributed.has(entry.command), `menu names unknown command ${entry.command}`);
      }
    }
  });

  it('keeps engines.vscode at the @types/vscode version and within what the bundled VS Code runs', () => {
    const engine = manifest.engines.vscode.replace(/^\^/, '');
    assert.equal(manifest.devDependencies['@types/vscode'], engine);
    const [major, minor] = engine.split('.').map(Number);
    assert.ok(major === 1 && minor! <= 139, `engines.vscode ${engine} exceeds 1.139`);
  });

  it('pins @azure/msal-node to exactly 7.2.3', () => {
    assert.equal(manifest.dependencies['@azure/msal-node'], '7.2.3');
  });

  it('makes every token-routing setting application-scoped, so a workspace .vscode/settings.json cannot set it', () => {
    const properties: Record<string, { scope?: string }> = Object.assign(
      {},
      ...[manifest.contributes.configuration].flat().map((section: { properties: Record<string, { scope?: string }> }) => section.properties),
    );
    // Where tokens come from and go to: the cloud, its two hosts, and everything about the app and the sign-in.
    const routing = Object.keys(properties).filter((key) => ['autopilot.cloud', 'autopilot.graphRoot', 'autopilot.authority'].includes(key) || key.startsWith('autopilot.auth.'));
    assert.deepEqual(routing.sort(), [
      'autopilot.auth.certificatePath',
      'autopilot.auth.clientId',
      'autopilot.auth.flow',
      'autopilot.auth.tenantId',
      'autopilot.authority',
      'autopilot.cloud',
      'autopilot.graphRoot',
    ]);
    for (const key of routing) assert.equal(properties[key]!.scope, 'application', `${key} is not application-scoped`);
    // And every setting the sign-in code reads is one of them (it reads user-level values only, through text()).
    const reader = fs.readFileSync(path.join(root, 'src', 'auth', 'vscode', 'authSettings.ts'), 'utf8');
    const read = [...reader.matchAll(/\btext\(configuration, '([^']+)'/g)].map((m) => `autopilot.${m[1]}`);
    assert.ok(read.length >= 6, read.join(', '));
    for (const key of read) assert.ok(routing.includes(key), `the sign-in reads ${key}, which is not in the application-scoped list`);
    assert.doesNotMatch(reader, /configuration\.get\b/, 'the sign-in reads settings only through their user-level value');
  });

  it('points at no missing folder (no "l10n" key without a bundle)', () => {
    if ('l10n' in manifest) assert.ok(fs.existsSync(path.join(root, manifest.l10n, 'bundle.l10n.json')), `${manifest.l10n}/bundle.l10n.json is missing`);
  });

  it('shows Sign Out and Select Account in the palette only while someone is signed in', () => {
    const palette = manifest.contributes.menus.commandPalette as { command: string; when: string }[];
    for (const command of ['autopilot.signOut', 'autopilot.selectAccount']) {
      assert.equal(palette.find((entry) => entry.command === command)?.when, 'autopilot.signedIn', command);
    }
  });

  it('activates where Autopilot payloads are, not on every JSON or text file', () => {
    assert.deepEqual(manifest.activationEvents, [
      'workspaceContains:**/*.autopilot.json',
      'workspaceContains:**/*.identifiers.csv',
      'onLanguage:autopilot-csv',
      'onLanguage:autopilot-identifiers',
      'onLanguage:csv',
    ]);
    const identifiers = (manifest.contributes.languages as { id: string; filenamePatterns?: string[] }[]).find((l) => l.id === 'autopilot-identifiers');
    assert.deepEqual(identifiers?.filenamePatterns, ['*.identifiers.csv'], 'a corporate-identifier file opened from anywhere starts the extension');
  });

  it('recognises a hardware-hash CSV by its first line, as VS Code matches it (a "^" in front, the BOM removed)', () => {
    const language = (manifest.contributes.languages as { id: string; firstLine: string }[]).find((l) => l.id === 'autopilot-csv')!;
    const firstLine = new RegExp(language.firstLine.startsWith('^') ? language.firstLine : `^${language.firstLine}`);
    for (const header of [
      'Device Serial Number,Windows Product ID,Hardware Hash',
      '"Device Serial Number","Windows Product ID","Hardware Hash","Group Tag","Assigned User"',
      'Manufacturer name,Device model,Device Serial Number,Windows Product ID,Hardware Hash',
      'serial_number;hardware-hash',
      'SerialNumber,HardwareHash',
    ]) {
      assert.match(header, firstLine);
    }
    for (const other of ['name,email,department', 'Dell Inc.,Latitude 7440,ABC123', '{"serialNumber": "x"}']) assert.doesNotMatch(other, firstLine);
  });

  it('ships the CLI as the package bin', () => {
    assert.equal(manifest.bin['autopilot-devices'], 'dist/cli.js');
  });
});

describe('layering', () => {
  const vscodeFree = ['graph', 'auth', 'payload', 'import', 'common'];

  function sources(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(dir, f));
  }

  const isVscodeFace = (file: string) => file.split(path.sep).includes('vscode');

  it('keeps vscode out of graph/, auth/, payload/, import/ and common/, but for their VS Code faces in a vscode/ subfolder', () => {
    for (const layer of vscodeFree) {
      for (const file of sources(path.join(root, 'src', layer))) {
        if (isVscodeFace(path.relative(root, file))) continue;
        const text = fs.readFileSync(file, 'utf8');
        assert.doesNotMatch(text, /from ['"]vscode['"]|require\(['"]vscode['"]\)/, `${path.relative(root, file)} imports vscode`);
      }
    }
  });

  it("runs one way: commands and views → the features' VS Code faces → the engine, Graph and payloads; never back", () => {
    // Which top-level folders (or faces) each may import from; anything else is a dependency pointing up or across.
    const rank = (relative: string): number => {
      const [top, sub] = relative.replace(/\.ts$/, '').split(path.sep).slice(1);
      if (top === 'commands' || top === 'extension' || top === 'services' || top === 'cli') return 3;
      if (top === 'views' || top === 'editor') return 2;
      if (sub === 'vscode') return 1;
      return 0;
    };
    for (const file of sources(path.join(root, 'src'))) {
      const from = path.relative(root, file);
      for (const [, spec] of fs.readFileSync(file, 'utf8').matchAll(/from ['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const to = path.relative(root, path.resolve(path.dirname(file), spec!));
        assert.ok(rank(to) <= rank(from) || (rank(from) === 2 && rank(to) === 2), `${from} imports ${to}, a layer above it`);
      }
    }
  });

  it('has no circle of imports between source files (type-only imports count: they tie the files as much)', () => {
    const importsOf = new Map<string, string[]>();
    for (const file of sources(path.join(root, 'src'))) {
      const targets = [...fs.readFileSync(file, 'utf8').matchAll(/from ['"](\.{1,2}\/[^'"]+)['"]/g)].map(([, spec]) => path.resolve(path.dirname(file), spec!));
      importsOf.set(file, targets.map((target) => (fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, 'index.ts'))));
    }
    const done = new Set<string>();
    const trail: string[] = [];
    const visit = (file: string): void => {
      if (done.has(file)) return;
      const at = trail.indexOf(file);
      assert.ok(at < 0, `a circle of imports: ${[...trail.slice(at), file].map((f) => path.relative(root, f)).join(' → ')}`);
      trail.push(file);
      for (const target of importsOf.get(file) ?? []) visit(target);
      trail.pop();
      done.add(file);
    };
    for (const file of importsOf.keys()) visit(file);
  });
});
