/**
 * The activation budget's baseline: the same extension, built the same way (esbuild.js), with everything it defers
 * to first use loaded at start instead: MSAL, the payload validator (Ajv with the compiled schema, Papa Parse,
 * jsonc-parser), the import engine and the Graph client with node-fetch. Evaluating this bundle in the same VS Code
 * window as the real activation gives a figure that a busy or slow machine stretches just like ours
 * (bench/activationBaseline.ts).
 */
import { PublicClientApplication } from '@azure/msal-node';
import { GraphClient } from '../src/graph/client';
import { ImportEngine } from '../src/import/engine';
import { validateText } from '../src/payload/validatePayload';

export * from '../src/extension';

// Used, so the bundler keeps them; the validator also compiles its schema, as its first real use would.
export const loadedAtStart = [PublicClientApplication, GraphClient, ImportEngine, validateText('[]', 'start.autopilot.json', 'utf-8').devices.length];
