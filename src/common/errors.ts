/** Thrown when the user cancels (a dismissed prompt, a cancelled progress notification): never shown as an error. */
export class UserCancelledError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'UserCancelledError';
  }
}

export function isUserCancelled(error: unknown): boolean {
  return error instanceof UserCancelledError || (error instanceof Error && error.name === 'AbortError');
}

/** The one line a user sees for an error; the full detail goes to the log. */
export function oneLineMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = text.split(/\r?\n/, 1)[0]?.trim();
  return firstLine || (error instanceof Error ? error.name : 'Unknown error');
}
