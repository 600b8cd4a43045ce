import { LockstepError } from '@lockstep/base';

/** A transaction asked for more open scans than `MAX_OPEN_ITERATORS` (each pins an engine snapshot). */
export class TooManyIteratorsError extends LockstepError {
  readonly txnId: number;

  constructor(txnId: number, limit: number) {
    super('TOO_MANY_ITERATORS', `Transaction ${txnId} has ${limit} open scans (MAX_OPEN_ITERATORS); close some first`);
    this.txnId = txnId;
  }
}
