import { LockstepError } from '@lockstep/base';

/** The applier killed this attempt (an earlier transaction of its domain waited on it); it is retried. */
export class TransactionKilledError extends LockstepError {
  readonly temporary = true;

  constructor(gtid: string) {
    super('REPL_TRANSACTION_KILLED', `Query execution was interrupted: ${gtid} was killed to let an earlier transaction proceed`, {
      errno: 1927,
      sqlState: '70100',
    });
  }
}
