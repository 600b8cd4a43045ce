import { LockstepError } from '@lockstep/base';

/** A table name without a database and no current database: MySQL ER_NO_DB_ERROR. */
export class NoDatabaseSelectedError extends LockstepError {
  constructor() {
    super('SQL_NO_DATABASE_SELECTED', `No database selected`, { errno: 1046, sqlState: '3D000' });
  }
}
