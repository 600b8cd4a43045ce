import { LockstepError } from '@lockstep/base';

/** INSERT names a column twice: MySQL ER_FIELD_SPECIFIED_TWICE. */
export class ColumnSpecifiedTwiceError extends LockstepError {
  constructor(column: string) {
    super('SQL_COLUMN_SPECIFIED_TWICE', `Column '${column}' specified twice`, { errno: 1110, sqlState: '42000' });
  }
}
