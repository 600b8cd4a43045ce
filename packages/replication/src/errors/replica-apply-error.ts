import { LockstepError, isLockstepError } from '@lockstep/base';

/** A transaction failed with a non-temporary error; its domain stopped just before it. */
export class ReplicaApplyError extends LockstepError {
  readonly gtid: string;

  constructor(gtid: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const errno = isLockstepError(cause) ? cause.errno : undefined;
    const sqlState = isLockstepError(cause) ? cause.sqlState : undefined;
    super('REPL_APPLY_FAILED', `Error applying transaction ${gtid}: ${detail}`, {
      cause,
      ...(errno === undefined ? {} : { errno }),
      ...(sqlState === undefined ? {} : { sqlState }),
    });
    this.gtid = gtid;
  }
}
