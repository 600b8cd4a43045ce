import { LockstepError } from '@lockstep/base';

/**
 * An operation of a transaction that already failed with a deadlock or a write conflict:
 * like InnoDB and MyRocks, those errors doom the whole transaction, which must roll back.
 * Carries the first error as `cause` and its errno (1213).
 */
export class TransactionAbortedError extends LockstepError {
  readonly txnId: number;

  constructor(txnId: number, cause: Error & { readonly errno?: number | undefined; readonly sqlState?: string | undefined }) {
    super('TXN_ABORTED', `Transaction ${txnId} must roll back: ${cause.message}`, { errno: cause.errno ?? 1213, sqlState: cause.sqlState ?? '40001', cause });
    this.txnId = txnId;
  }
}
