import { LockstepError } from '@lockstep/base';

/** The database does not exist: MySQL ER_BAD_DB_ERROR. */
export class UnknownDatabaseError extends LockstepError {
  constructor(name: string) {
    super('SQL_UNKNOWN_DATABASE', `Unknown database '${name}'`, { errno: 1049, sqlState: '42000' });
  }
}
