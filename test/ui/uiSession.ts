/** What the launcher hands the Playwright UI tests: a running code-server with the VSIX installed, and a browser. */
import type { Browser } from 'playwright-core';
import type { CodeServer } from '../integration/launch/codeServer';
import type { ToolPaths } from '../integration/launch/toolCache';

export interface UiSession {
  readonly server: CodeServer;
  readonly browser: Browser;
  readonly outputDir: string;
  readonly tools: ToolPaths;
  freshWorkspace(name: string): string;
}

let current: UiSession | undefined;

export function setUiSession(session: UiSession): void {
  current = session;
}

export function uiSession(): UiSession {
  if (!current) throw new Error('UI tests run only through the integration launcher (npm run test:integration).');
  return current;
}
