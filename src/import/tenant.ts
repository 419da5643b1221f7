/**
 * A run belongs to one tenant (SPEC section 6.1): the tenant it was created in is stored in its manifest, and no
 * process works on it — sends, reconciles, polls, deletes — under another tenant's credentials. The engine enforces
 * this for every piece of work on a run; the terminal command and the extension ask the same question before they
 * show or offer work on a run, and word the answer for their audience.
 */
import type { RunTenant } from './journal';

/** Why a run may not be worked on with the current credentials: the run's tenant and the credentials' tenant. */
export class RunTenantError extends Error {
  constructor(
    readonly runId: string,
    /** Undefined for a run journaled without its tenant (by an earlier version of the terminal command). */
    readonly runTenant: RunTenant | undefined,
    /** Undefined when the credentials do not say which tenant they are for. */
    readonly tenant: RunTenant | undefined,
  ) {
    super(
      `Run ${runId} belongs to ${runTenant ? `tenant ${runTenant.label}` : 'an unrecorded tenant'}, but the credentials are for ${tenant ? `tenant ${tenant.label}` : 'an unknown tenant'}; nothing was sent.`,
    );
    this.name = 'RunTenantError';
  }
}

/** Whether two tenants are the same (ids compare without regard to case; both unknown counts as the same). */
export function sameTenant(a: RunTenant | undefined, b: RunTenant | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.id.toLowerCase() === b.id.toLowerCase();
}

/** The refusal for working on `run` with credentials for `tenant`, or undefined when that is allowed. */
export function tenantRefusal(run: { readonly id: string; readonly tenant?: RunTenant }, tenant: RunTenant | undefined): RunTenantError | undefined {
  return sameTenant(run.tenant, tenant) ? undefined : new RunTenantError(run.id, run.tenant, tenant);
}
