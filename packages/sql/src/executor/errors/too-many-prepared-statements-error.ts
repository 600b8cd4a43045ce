import { LockstepError } from '@lockstep/base';

/** A session holds its bound of prepared statements: MySQL ER_MAX_PREPARED_STMT_COUNT_REACHED. */
export class TooManyPreparedStatementsError extends LockstepError {
  constructor(limit: number) {
    super('SQL_TOO_MANY_PREPARED_STATEMENTS', `Can't create more than max_prepared_stmt_count statements (current value: ${limit})`, { errno: 1461, sqlState: '42000' });
  }
}
