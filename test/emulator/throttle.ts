/**
 * Intune's documented budgets (facts page §4.1): writes 200 per 20 s per tenant and 100 per 20 s per app per
 * tenant; any request 2000 per tenant and 1000 per app. Sliding windows; the window can be scaled down for fast
 * tests and the benchmark (both sides then use the same scaled window).
 */
export interface ThrottleBudgets {
  readonly windowMs: number;
  readonly tenantWrites: number;
  readonly appWrites: number;
  readonly tenantRequests: number;
  readonly appRequests: number;
}

export const INTUNE_BUDGETS: ThrottleBudgets = { windowMs: 20_000, tenantWrites: 200, appWrites: 100, tenantRequests: 2000, appRequests: 1000 };

export class SlidingWindows {
  private readonly hits = new Map<string, number[]>();

  constructor(readonly budgets: ThrottleBudgets) {}

  /**
   * Counts one request if every applicable window has room; otherwise counts nothing and says how long until the
   * fullest window frees a slot. Only accepted requests accrue, so a client that honours Retry-After gets in.
   */
  take(tenantId: string, appId: string, isWrite: boolean, now: number): { ok: true } | { ok: false; retryAfterMs: number } {
    const keys: [string, number][] = [
      [`t:${tenantId}`, this.budgets.tenantRequests],
      [`a:${tenantId}:${appId}`, this.budgets.appRequests],
    ];
    if (isWrite) keys.push([`tw:${tenantId}`, this.budgets.tenantWrites], [`aw:${tenantId}:${appId}`, this.budgets.appWrites]);
    let retryAfterMs = 0;
    for (const [key, limit] of keys) {
      const list = this.window(key, now);
      if (list.length >= limit) retryAfterMs = Math.max(retryAfterMs, list[list.length - limit]! + this.budgets.windowMs - now);
    }
    if (retryAfterMs > 0) return { ok: false, retryAfterMs };
    for (const [key] of keys) this.window(key, now).push(now);
    return { ok: true };
  }

  reset(): void {
    this.hits.clear();
  }

  private window(key: string, now: number): number[] {
    let list = this.hits.get(key);
    if (!list) this.hits.set(key, (list = []));
    let drop = 0;
    while (drop < list.length && list[drop]! <= now - this.budgets.windowMs) drop++;
    if (drop) list.splice(0, drop);
    return list;
  }
}
