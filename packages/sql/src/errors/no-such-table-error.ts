import { LockstepError } from '@lockstep/base';

/** The table does not exist: MySQL ER_NO_SUCH_TABLE. */
export class NoSuchTableError extends LockstepError {
  constructor(database: string, table: string) {
    super('SQL_NO_SUCH_TABLE', `Table '${database}.${table}' doesn't exist`, { errno: 1146, sqlState: '42S02' });
  }
}
