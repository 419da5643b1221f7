/**
 * Faults injected on demand: latency, error statuses (503, 429 with or without Retry-After, …), a connection
 * reset before or after the write commits, a slow answer after the commit (client timeouts), and a hook that runs
 * after the commit (e.g. to kill a client process at exactly that moment).
 */
export type FaultAction =
  | { readonly kind: 'latency'; readonly ms: number }
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string; readonly code?: string; readonly message?: string }
  | { readonly kind: 'reset-before-commit' }
  | { readonly kind: 'reset-after-commit' }
  | { readonly kind: 'delay-after-commit'; readonly ms: number }
  | { readonly kind: 'after-commit'; readonly run: () => void | Promise<void> };

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
  readonly action: FaultAction;
}

export class FaultHandle {
  hits = 0;
  private skipped = 0;

  constructor(readonly rule: FaultRule) {}

  get exhausted(): boolean {
    return this.hits >= (this.rule.times ?? 1);
  }

  /** Claims this request for the rule if it matches and still has uses. */
  claim(method: string, path: string, body: unknown): boolean {
    if (this.exhausted) return false;
    if (this.rule.body && !this.rule.body(body)) return false;
    if (this.rule.method && this.rule.method.toUpperCase() !== method.toUpperCase()) return false;
    const pattern = this.rule.path;
    if (pattern !== undefined && !(typeof pattern === 'string' ? path.includes(pattern) : pattern.test(path))) return false;
    if (this.skipped < (this.rule.skip ?? 0)) {
      this.skipped++;
      return false;
    }
    this.hits++;
    return true;
  }
}

export class FaultPlan {
  private handles: FaultHandle[] = [];

  add(rule: FaultRule): FaultHandle {
    const handle = new FaultHandle(rule);
    this.handles.push(handle);
    return handle;
  }

  clear(): void {
    this.handles = [];
  }

  /** The actions that apply to this request, in the order the rules were added. */
  actionsFor(method: string, path: string, body: unknown): FaultAction[] {
    const actions = this.handles.filter((handle) => handle.claim(method, path, body)).map((handle) => handle.rule.action);
    this.handles = this.handles.filter((handle) => !handle.exhausted);
    return actions;
  }
}
