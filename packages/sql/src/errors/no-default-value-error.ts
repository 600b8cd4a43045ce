import { LockstepError } from '@lockstep/base';

/** An INSERT leaves out a NOT NULL column that has no default (strict mode): MySQL ER_NO_DEFAULT_FOR_FIELD. */
export class NoDefaultValueError extends LockstepError {
  constructor(column: string) {
    super('SQL_NO_DEFAULT_VALUE', `Field '${column}' doesn't have a default value`, { errno: 1364, sqlState: 'HY000' });
  }
}
