import { LockstepError } from '@lockstep/base';

/** Two columns with one name: MySQL ER_DUP_FIELDNAME. */
export class DuplicateColumnError extends LockstepError {
  constructor(column: string) {
    super('SQL_DUPLICATE_COLUMN', `Duplicate column name '${column}'`, { errno: 1060, sqlState: '42S21' });
  }
}
