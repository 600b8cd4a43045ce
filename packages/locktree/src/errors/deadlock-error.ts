import { LockstepError } from '@lockstep/base';

/** Waiting would close a cycle in the wait-for graph. MySQL ER_LOCK_DEADLOCK. */
export class DeadlockError extends LockstepError {
  readonly txnId: number;
  /** The cycle found, starting and ending at the requester (or cut at the search bound). */
  readonly cycle: readonly number[];

  constructor(txnId: number, cycle: readonly number[], depthExceeded: boolean) {
    super(
      'DEADLOCK',
      `Deadlock found when trying to get lock; try restarting transaction (txn ${txnId}: ${depthExceeded ? 'wait-for search exceeded its bound at ' : 'cycle '}${cycle.join(' -> ')})`,
      { errno: 1213, sqlState: '40001' },
    );
    this.txnId = txnId;
    this.cycle = cycle;
  }
}
