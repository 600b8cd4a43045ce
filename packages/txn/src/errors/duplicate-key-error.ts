import { LockstepError } from '@lockstep/base';
import { hexKey } from '../internal/hex.js';

/** An insert-if-absent found the key present (committed, or written earlier by the same transaction). MySQL ER_DUP_ENTRY. */
export class DuplicateKeyError extends LockstepError {
  readonly txnId: number;
  readonly key: Uint8Array;

  constructor(txnId: number, key: Uint8Array) {
    super('DUPLICATE_KEY', `Duplicate entry for key ${hexKey(key)} (txn ${txnId})`, {
      errno: 1062,
      sqlState: '23000',
    });
    this.txnId = txnId;
    this.key = key;
  }
}
