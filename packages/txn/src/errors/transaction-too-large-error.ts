import { LockstepError } from '@lockstep/base';

/** The transaction's buffered writes would exceed `maxWriteBytes`. The write is refused; the transaction stays usable. MySQL ER_TRANS_CACHE_FULL-like. */
export class TransactionTooLargeError extends LockstepError {
  readonly txnId: number;

  constructor(txnId: number, bytes: number, limitBytes: number) {
    super('TXN_TOO_LARGE', `Transaction ${txnId} would buffer ${bytes} bytes of writes, over the limit of ${limitBytes} (maxWriteBytes)`, { errno: 1197, sqlState: 'HY000' });
    this.txnId = txnId;
  }
}
