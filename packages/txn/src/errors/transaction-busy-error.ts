import { LockstepError } from '@lockstep/base';

/** A second operation started while the transaction was still waiting for a lock: a transaction runs one operation at a time. */
export class TransactionBusyError extends LockstepError {
  readonly txnId: number;

  constructor(txnId: number) {
    super('TXN_BUSY', `Transaction ${txnId} is already waiting for a lock; its operations must run one at a time`);
    this.txnId = txnId;
  }
}
