import { LockstepError } from '@lockstep/base';

/** A lock request waited longer than its timeout. MySQL ER_LOCK_WAIT_TIMEOUT. */
export class LockWaitTimeoutError extends LockstepError {
  readonly txnId: number;
  readonly blockers: readonly number[];

  constructor(txnId: number, waitedMs: number, blockers: readonly number[]) {
    super('LOCK_WAIT_TIMEOUT', `Lock wait timeout exceeded; try restarting transaction (txn ${txnId} waited ${waitedMs} ms for ${blockers.join(', ')})`, {
      errno: 1205,
      sqlState: 'HY000',
    });
    this.txnId = txnId;
    this.blockers = blockers;
  }
}
