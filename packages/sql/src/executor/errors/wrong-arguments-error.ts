import { LockstepError } from '@lockstep/base';

/** A prepared statement executed with the wrong number of parameters, or `?` in a text query: MySQL ER_WRONG_ARGUMENTS. */
export class WrongArgumentsError extends LockstepError {
  constructor(operation: string) {
    super('SQL_WRONG_ARGUMENTS', `Incorrect arguments to ${operation}`, { errno: 1210, sqlState: 'HY000' });
  }
}
