import { LockstepError } from '@lockstep/base';

/** DROP TABLE of missing tables: MySQL ER_BAD_TABLE_ERROR. */
export class UnknownTableError extends LockstepError {
  constructor(names: string) {
    super('SQL_UNKNOWN_TABLE', `Unknown table '${names}'`, { errno: 1051, sqlState: '42S02' });
  }
}
