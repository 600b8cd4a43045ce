import { LockstepError } from '@lockstep/base';

/** A column reference that names no column: MySQL ER_BAD_FIELD_ERROR. */
export class UnknownColumnError extends LockstepError {
  constructor(column: string, context: string) {
    super('SQL_UNKNOWN_COLUMN', `Unknown column '${column}' in '${context}'`, { errno: 1054, sqlState: '42S22' });
  }
}
