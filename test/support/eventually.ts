/** Polls `probe` until it gives a truthy value (returned), or fails naming `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/**
 * Polls `probe` for at most `timeoutMs` and gives its value, or undefined when it stayed falsy: one attempt of a
 * step the caller repeats (a key press the workbench may not have taken yet), never an assertion that nothing happened.
 */
export async function soon<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number): Promise<T | undefined> {
  return eventually('one attempt', probe, timeoutMs).catch(() => undefined);
}
