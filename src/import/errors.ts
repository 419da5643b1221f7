/**
 * What stops work on a run, as types the faces can tell apart (see failures.ts): small and free of the engine's
 * weight, so the extension can recognise them without loading the engine.
 */
/** A run's tenant as journal.ts records it (RunTenant); written out here because the journal throws these errors. */
interface RunTenant {
  readonly id: string;
  readonly label: string;
}

/**
 * A run that stopped on an error that needs a person. The run is in the journal and can be resumed, unless it was
 * `discarded`: a new run that failed before any device could reach Graph is not kept (see `startRun`).
 */
export class RunFailedError extends Error {
  constructor(
    readonly runId: string,
    override readonly cause: unknown,
    readonly discarded = false,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'RunFailedError';
  }
}

export class UncertainSendError extends Error {
  constructor(readonly devices: number) {
    super(`Graph kept failing to answer for ${devices} device(s); stopped before sending them again. Run resume later: it reconciles first.`);
    this.name = 'UncertainSendError';
  }
}

export class RunBusyError extends Error {
  constructor(
    readonly runId: string,
    readonly pid: number,
    /** The holder's host name when it is another machine (a journal on a shared drive). */
    readonly host?: string,
  ) {
    super(`Run ${runId} is being worked on by process ${pid}${host ? ` on ${host}` : ''}.`);
    this.name = 'RunBusyError';
  }
}

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

/** Answers for corporate identifiers that never came, too often to send them again safely. */
export class UnconfirmedIdentifiersError extends Error {
  constructor(readonly identifiers: number) {
    super(`Graph kept failing to answer for ${identifiers} identifier(s); stopped before sending them again. Run the import again later: it checks Graph first.`);
    this.name = 'UnconfirmedIdentifiersError';
  }
}

/**
 * A step after the import needs a Graph permission the signed-in user has not consented to yet (adding devices to
 * groups, removing Intune managed devices): asked for when first used, never at sign-in (incremental consent).
 */
export class ConsentNeededError extends Error {
  constructor(
    /** The delegated permissions the step needs, e.g. `GroupMember.ReadWrite.All`. */
    readonly permissions: readonly string[],
    override readonly cause?: unknown,
  ) {
    super(`Microsoft Graph needs your consent for ${permissions.join(', ')} before this step.`);
    this.name = 'ConsentNeededError';
  }
}
