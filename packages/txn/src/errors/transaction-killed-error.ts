import { LockstepError } from '@lockstep/base';

/** An operation of a killed transaction: it fails until the transaction rolls back. MariaDB ER_QUERY_INTERRUPTED-like errno 1927 (as the killed lock wait). */
export class TransactionKilledError extends LockstepError {
  readonly txnId: number;
  readonly reason: string;

  constructor(txnId: number, reason: string) {
    super('TXN_KILLED', `Transaction ${txnId} was killed (${reason}); it must roll back`, { errno: 1927, sqlState: '70100' });
    this.txnId = txnId;
    this.reason = reason;
  }
}
