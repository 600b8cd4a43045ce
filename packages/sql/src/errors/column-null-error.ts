import { LockstepError } from '@lockstep/base';

/** NULL for a NOT NULL column: MySQL ER_BAD_NULL_ERROR. */
export class ColumnNullError extends LockstepError {
  readonly column: string;

  constructor(column: string) {
    super('SQL_COLUMN_NULL', `Column '${column}' cannot be null`, { errno: 1048, sqlState: '23000' });
    this.column = column;
  }
}
