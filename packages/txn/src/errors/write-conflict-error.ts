import { LockstepError } from '@lockstep/base';
import { hexKey as hex } from '../internal/hex.js';

/**
 * Point locking, repeatable read: a locking read or write found that the key changed after
 * the transaction's snapshot (the snapshot check). MyRocks reports this to clients as
 * ER_LOCK_DEADLOCK, so it carries errno 1213: clients and the replica applier retry it.
 * The transaction must roll back.
 */
export class WriteConflictError extends LockstepError {
  readonly txnId: number;
  readonly key: Uint8Array;
  readonly snapshotSequence: bigint;
  readonly committedSequence: bigint;

  constructor(txnId: number, key: Uint8Array, snapshotSequence: bigint, committedSequence: bigint) {
    super(
      'WRITE_CONFLICT',
      `Deadlock found when trying to get lock; try restarting transaction (txn ${txnId}: key ${hex(key)} was changed at sequence ${committedSequence}, after its snapshot at ${snapshotSequence})`,
      { errno: 1213, sqlState: '40001' },
    );
    this.txnId = txnId;
    this.key = key;
    this.snapshotSequence = snapshotSequence;
    this.committedSequence = committedSequence;
  }
}

