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

/**
 * Thrown when a command finds nothing to act on (no failed device to retry, nothing left to send): the user is told
 * so as information, not as an error, and nothing is logged as a failure.
 */
export class NothingToDoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NothingToDoError';
  }
}

export function isNothingToDo(error: unknown): error is NothingToDoError {
  return error instanceof Error && error.name === 'NothingToDoError';
}

/** The one line a user sees for an error; the full detail goes to the log. */
export function oneLineMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = text.split(/\r?\n/, 1)[0]?.trim();
  return firstLine || (error instanceof Error ? error.name : 'Unknown error');
}
