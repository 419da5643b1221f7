// Bundles the extension and the terminal command. Type checking is separate (`npm run check-types`).
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors in the `$esbuild-watch` problem-matcher format so VS Code tasks pick them up. */
const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: production,
  // Source maps always go to separate files: the VSIX and the npm bin stay small and readable stack traces
  // are still one file away.
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  // node-fetch 2 tries an optional `encoding` package inside try/catch; we never ask it for charset conversion.
  external: ['encoding'],
  // jsonc-parser's `main` is a UMD wrapper whose inner require() calls a bundler cannot follow; bundle its ES build.
  // node-fetch 2 only falls back to `whatwg-url` where Node has no URL class of its own (see the stand-in).
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js', 'whatwg-url': './src/common/builtinWhatwgUrl.ts' },
  define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
  plugins: watch ? [problemMatcherPlugin] : [],
};

/** @type {import('esbuild').BuildOptions} */
const extension = {
  ...common,
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  external: [...common.external, 'vscode'],
  // The first statement of the bundle, so activation time includes loading our code (see src/common/startupTimer.ts).
  banner: { js: 'var __autopilotBundleStart = performance.now();' },
};

const targets = [extension, { ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }];

async function main() {
  const contexts = await Promise.all(targets.map((options) => esbuild.context(options)));
  if (watch) {
    await Promise.all(contexts.map((ctx) => ctx.watch()));
    return;
  }
  await Promise.all(contexts.map((ctx) => ctx.rebuild()));
  await Promise.all(contexts.map((ctx) => ctx.dispose()));
}

/**
 * The extension's production build options for another entry point: the activation budget's baseline is the same
 * bundle with everything loaded at start (bench/eagerExtension.ts), built exactly as the extension is.
 */
function productionExtensionOptions(entryPoint, outfile) {
  return { ...extension, minify: true, define: { 'process.env.NODE_ENV': '"production"' }, plugins: [], entryPoints: [entryPoint], outfile, absWorkingDir: __dirname };
}

module.exports = { productionExtensionOptions };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
