import { LockstepError } from '@lockstep/base';

/** The statement text holds nothing but white space and comments: MySQL ER_EMPTY_QUERY. */
export class EmptyQueryError extends LockstepError {
  constructor() {
    super('SQL_EMPTY_QUERY', 'Query was empty', { errno: 1065, sqlState: '42000' });
  }
}
