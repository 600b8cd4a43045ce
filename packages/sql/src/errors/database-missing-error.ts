import { LockstepError } from '@lockstep/base';

/** DROP DATABASE of a missing database: MySQL ER_DB_DROP_EXISTS. */
export class DatabaseMissingError extends LockstepError {
  constructor(name: string) {
    super('SQL_DATABASE_MISSING', `Can't drop database '${name}'; database doesn't exist`, { errno: 1008, sqlState: 'HY000' });
  }
}
