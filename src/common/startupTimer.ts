// The bundle's first statement records when loading began (esbuild banner); outside the bundle (unit tests) this
// module's own evaluation is the best available start.
declare const __autopilotBundleStart: number | undefined;

const loadStarted = typeof __autopilotBundleStart === 'number' ? __autopilotBundleStart : performance.now();
let loadMs: number | undefined;

/** Call from the entry module's top level: everything it imports has been evaluated by then. */
export function markLoaded(): void {
  loadMs ??= performance.now() - loadStarted;
}

/**
 * What activation costs the user's window: loading our code plus running `activate`. VS Code awaits other work
 * between the two, so they are measured separately and added; the gap is not ours.
 */
export function activationBreakdown(activateStarted: number): { loadMs: number; activateMs: number; totalMs: number } {
  const activateMs = performance.now() - activateStarted;
  return { loadMs: loadMs ?? 0, activateMs, totalMs: (loadMs ?? 0) + activateMs };
}
