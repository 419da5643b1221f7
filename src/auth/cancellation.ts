/** Racing MSAL calls (which take no AbortSignal) against cancellation and time limits. */
import { UserCancelledError } from '../common/errors';

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new UserCancelledError();
}

/**
 * Settles with `work`, or rejects with a `UserCancelledError` as soon as `signal` aborts (after running `onAbort`,
 * which lets the caller stop what MSAL left running), or with `onTimeout()`'s error after `timeoutMs`.
 */
export function raceCancellation<T>(
  work: Promise<T>,
  options: { signal?: AbortSignal; onAbort?: () => void; timeoutMs?: number; onTimeout?: () => Error },
): Promise<T> {
  const { signal, onAbort, timeoutMs, onTimeout } = options;
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const abort = () => {
      cleanup();
      onAbort?.();
      reject(new UserCancelledError());
    };
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
    };
    signal?.addEventListener('abort', abort, { once: true });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        cleanup();
        onAbort?.();
        reject(onTimeout ? onTimeout() : new Error(`Timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    }
    work.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}
