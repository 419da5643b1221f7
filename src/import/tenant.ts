/**
 * A run belongs to one tenant (SPEC section 6.1): the tenant it was created in is stored in its manifest, and no
 * process works on it — sends, reconciles, polls, deletes — under another tenant's credentials. The engine enforces
 * this for every piece of work on a run; the terminal command and the extension ask the same question before they
 * show or offer work on a run, and word the answer for their audience.
 */
import type { RunTenant } from './journal';
import { RunTenantError } from './errors';

/** Whether two tenants are the same (ids compare without regard to case; both unknown counts as the same). */
export function sameTenant(a: RunTenant | undefined, b: RunTenant | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.id.toLowerCase() === b.id.toLowerCase();
}

/** The refusal for working on `run` with credentials for `tenant`, or undefined when that is allowed. */
export function tenantRefusal(run: { readonly id: string; readonly tenant?: RunTenant }, tenant: RunTenant | undefined): RunTenantError | undefined {
  return sameTenant(run.tenant, tenant) ? undefined : new RunTenantError(run.id, run.tenant, tenant);
}

/**
 * The tenant the credentials are for, asked once (for the terminal command, asking may mean signing in) and then
 * remembered; a failed answer is not, so the next question asks again. Without a source: always undefined.
 */
export function rememberedTenant(source: (() => Promise<RunTenant>) | undefined): () => Promise<RunTenant | undefined> {
  let remembered: Promise<RunTenant> | undefined;
  return () => {
    if (!source) return Promise.resolve(undefined);
    if (!remembered) {
      const asked = source();
      asked.catch(() => {
        if (remembered === asked) remembered = undefined;
      });
      remembered = asked;
    }
    return remembered;
  };
}
