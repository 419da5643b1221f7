/**
 * Faults injected on demand: latency, error statuses (503, 429 with or without Retry-After, …), a redirect to
 * another origin, a connection reset before or after the write commits, a slow answer after the commit (client
 * timeouts), a write answered with a failure (5xx, a reset, or no answer at all) that Graph commits later anyway, a
 * `@odata.nextLink` that points at its own page, and hooks that run before or after the commit (e.g. to kill a
 * client process at exactly that moment).
 *
 * A 500/502/503/504 injected on a write is committed late by default, as Intune's may be (`commit: 'never'` for one
 * that is not; `tidy.noLateCommits` for a whole emulator).
 *
 * A rule acts on the first matching requests (`skip`, `times`), or at random (`chance`, drawn from the plan's seeded
 * random source so a soak is repeatable), and can strike in bursts of consecutive requests (`burst`).
 */
/** How a write that Graph commits late is answered: an error status, a cut connection, or no answer until the client gives up. */
export type LateAnswer = 'reset' | 'timeout' | 500 | 502 | 503 | 504;

export type FaultAction =
  | { readonly kind: 'latency'; readonly ms: number }
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly retryAfter?: string;
      readonly code?: string;
      readonly message?: string;
      /** For a 500/502/503/504 on a write: committed `late` (the default) or `never`. */
      readonly commit?: 'late' | 'never';
      /** With a late commit: how long after the answer; a random time up to `timing.lateCommitMaxMs` when absent. */
      readonly commitAfterMs?: number;
    }
  /** The write is answered (`answer`) without being committed, and committed `afterMs` later (random when absent). */
  | { readonly kind: 'commit-late'; readonly answer: LateAnswer; readonly afterMs?: number }
  /** A list page whose `@odata.nextLink` is the very request that produced it (Graph's cursor seen repeating itself). */
  | { readonly kind: 'repeat-next-link' }
  /** A 3xx to `location` before anything is committed, as a misconfigured proxy or a hostile front end would send. */
  | { readonly kind: 'redirect'; readonly status?: 301 | 302 | 303 | 307 | 308; readonly location: string }
  | { readonly kind: 'reset-before-commit' }
  | { readonly kind: 'reset-after-commit' }
  | { readonly kind: 'delay-after-commit'; readonly ms: number }
  | { readonly kind: 'before-commit'; readonly run: (request: FaultedRequest) => void | Promise<void> }
  | { readonly kind: 'after-commit'; readonly run: (request: FaultedRequest) => void | Promise<void> };

/** What a hook is told about the request it runs for. */
export interface FaultedRequest {
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export interface FaultRule {
  /** HTTP method to match; any when absent. */
  readonly method?: string;
  /** Substring of, or pattern for, the request path (including the version segment). */
  readonly path?: string | RegExp;
  /** How many matching requests it affects; 1 when absent, `Infinity` for "until cleared". */
  readonly times?: number;
  /** Only requests whose parsed JSON body passes this test. */
  readonly body?: (body: unknown) => boolean;
  /** Matching requests to let through before this rule starts to act. */
  readonly skip?: number;
  /** Probability (0–1) that the rule acts on a matching request; always when absent. */
  readonly chance?: number;
  /** Once the rule acts, it also acts on the next `burst - 1` matching requests (a burst of 429s, say). */
  readonly burst?: number;
  readonly action: FaultAction;
}

export class FaultHandle {
  hits = 0;
  private skipped = 0;
  private burstLeft = 0;

  constructor(readonly rule: FaultRule) {}

  get exhausted(): boolean {
    return this.hits >= (this.rule.times ?? 1);
  }

  /** Claims this request for the rule if it matches, still has uses, and (for a random rule) the dice say so. */
  claim(method: string, path: string, body: unknown, random: () => number): boolean {
    if (this.exhausted) return false;
    if (this.rule.method && this.rule.method.toUpperCase() !== method.toUpperCase()) return false;
    const pattern = this.rule.path;
    if (pattern !== undefined && !(typeof pattern === 'string' ? path.includes(pattern) : pattern.test(path))) return false;
    // The body test last: it is written for the requests the method and path select (a GET has no body).
    if (this.rule.body && !this.rule.body(body)) return false;
    if (this.skipped < (this.rule.skip ?? 0)) {
      this.skipped++;
      return false;
    }
    if (this.burstLeft > 0) {
      this.burstLeft--;
    } else {
      if (this.rule.chance !== undefined && !(random() < this.rule.chance)) return false;
      this.burstLeft = Math.max(0, (this.rule.burst ?? 1) - 1);
    }
    this.hits++;
    return true;
  }
}

/** A small seeded generator (mulberry32): the same seed gives the same faults, run after run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultPlan {
  private handles: FaultHandle[] = [];

  /** `random` decides the rules with a `chance`; seed it (`seededRandom`) for a repeatable soak. */
  constructor(private random: () => number = Math.random) {}

  add(rule: FaultRule): FaultHandle {
    const handle = new FaultHandle(rule);
    this.handles.push(handle);
    return handle;
  }

  clear(): void {
    this.handles = [];
  }

  /** A number in [0, 1) from the plan's random source (how late a late commit comes, say). */
  draw(): number {
    return this.random();
  }

  /** Draws the random faults from this source from now on. */
  reseed(random: () => number): void {
    this.random = random;
  }

  /** The actions that apply to this request, in the order the rules were added. */
  actionsFor(method: string, path: string, body: unknown): FaultAction[] {
    const actions = this.handles.filter((handle) => handle.claim(method, path, body, this.random)).map((handle) => handle.rule.action);
    this.handles = this.handles.filter((handle) => !handle.exhausted);
    return actions;
  }
}
