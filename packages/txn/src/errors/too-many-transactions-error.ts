import { LockstepError } from '@lockstep/base';

/** `begin` while `maxTransactions` transactions are open. MySQL ER_TOO_MANY_CONCURRENT_TRXS. */
export class TooManyTransactionsError extends LockstepError {
  constructor(limit: number) {
    super('TOO_MANY_TRANSACTIONS', `Too many active concurrent transactions (maxTransactions ${limit})`, { errno: 1637, sqlState: 'HY000' });
  }
}
