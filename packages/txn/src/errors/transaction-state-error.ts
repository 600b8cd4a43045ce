import { LockstepError } from '@lockstep/base';

/** An operation that the transaction's state does not allow (a write after prepare, a commit after rollback, ...). MySQL ER_XAER_RMFAIL-like. */
export class TransactionStateError extends LockstepError {
  readonly txnId: number;
  readonly state: string;

  constructor(txnId: number, state: string, operation: string) {
    super('TXN_STATE', `Transaction ${txnId} cannot ${operation}: it is ${state}`, { errno: 1399, sqlState: 'XAE07' });
    this.txnId = txnId;
    this.state = state;
  }
}
