import { LockstepError } from '@lockstep/base';

/** The transaction was killed while waiting for (or before asking for) a lock. */
export class LockWaitKilledError extends LockstepError {
  readonly txnId: number;

  constructor(txnId: number, reason: string) {
    super('LOCK_WAIT_KILLED', `Lock wait of txn ${txnId} was killed: ${reason}`, { errno: 1927, sqlState: '70100' });
    this.txnId = txnId;
  }
}
