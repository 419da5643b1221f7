/**
 * The emulator behaves like Intune, untidy parts included: answers never carry the hash back, lists come in the
 * order of Graph's own key (not creation), throttled answers often lack `Retry-After`, a write answered 5xx may still
 * commit, `complete` comes before the registration. A test that needs a tidier Graph asks for it here, by name, and
 * nowhere else.
 */
export interface Tidiness {
  /** Answers to create, `/import`, get and list echo the `hardwareIdentifier` sent (Intune's leave it empty). */
  readonly echoHash?: boolean;
  /** Lists come in creation order (Intune pages with a skip token over its own key, unrelated to creation). */
  readonly creationOrder?: boolean;
  /** Every answer of Intune's own throttling carries `Retry-After` (Intune's often do not). */
  readonly retryAfterOnThrottle?: boolean;
  /** A write answered with an injected 500/502/503/504 is never committed (Intune's may be, up to a minute later). */
  readonly noLateCommits?: boolean;
  /**
   * Registered-device pages never repeat the boundary device (Intune's cursor is `LastSerialNumber='…'`, inclusive:
   * the last device of a page comes again first on the next, and a page holding nothing but one serial loops).
   */
  readonly exclusiveCursor?: boolean;
  /** A deleted Intune managed device or Autopilot registration is gone at once (Intune's lag behind the 204). */
  readonly instantDeletes?: boolean;
}

export const TIDY_NOTHING: Tidiness = Object.freeze({});
