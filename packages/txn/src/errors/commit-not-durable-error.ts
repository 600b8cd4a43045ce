import { LockstepError } from '@lockstep/base';

/**
 * The engine applied the commit (it is visible, and the transaction counts as committed)
 * but could not make it durable: its log write or fsync failed. A crash may lose it. MySQL
 * ER_ERROR_DURING_COMMIT.
 */
export class CommitNotDurableError extends LockstepError {
  readonly txnId: number;

  constructor(txnId: number, cause: unknown) {
    super('COMMIT_NOT_DURABLE', `Transaction ${txnId} committed but is not durable: ${cause instanceof Error ? cause.message : String(cause)}`, { errno: 1180, sqlState: 'HY000', cause });
    this.txnId = txnId;
  }
}
