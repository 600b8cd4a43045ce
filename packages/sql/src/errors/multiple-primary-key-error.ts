import { LockstepError } from '@lockstep/base';

/** More than one PRIMARY KEY: MySQL ER_MULTIPLE_PRI_KEY. */
export class MultiplePrimaryKeyError extends LockstepError {
  constructor() {
    super('SQL_MULTIPLE_PRIMARY_KEY', `Multiple primary key defined`, { errno: 1068, sqlState: '42000' });
  }
}
