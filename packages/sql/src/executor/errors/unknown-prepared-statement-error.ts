import { LockstepError } from '@lockstep/base';

/** A prepared statement id that is not open in this session: MySQL ER_UNKNOWN_STMT_HANDLER. */
export class UnknownPreparedStatementError extends LockstepError {
  constructor(statementId: number, operation: string) {
    super('SQL_UNKNOWN_PREPARED_STATEMENT', `Unknown prepared statement handler (${statementId}) given to ${operation}`, { errno: 1243, sqlState: 'HY000' });
  }
}
