import { LockstepError } from '@lockstep/base';

/** The connection already holds its maximum number of prepared statements. */
export class TooManyStatementsError extends LockstepError {
  constructor(limit: number) {
    super('WIRE_TOO_MANY_STATEMENTS', `Can't create more than max_prepared_stmt_count statements (current value: ${limit})`, {
      errno: 1461,
      sqlState: '42000',
    });
  }
}
