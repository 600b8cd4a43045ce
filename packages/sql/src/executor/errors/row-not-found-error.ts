import { LockstepError } from '@lockstep/base';

/** A row event's before image names a row that is not there: MySQL ER_KEY_NOT_FOUND (HA_ERR_KEY_NOT_FOUND when applying row events). */
export class RowNotFoundError extends LockstepError {
  constructor(table: string) {
    super('SQL_ROW_NOT_FOUND', `Can't find record in '${table}'`, { errno: 1032, sqlState: 'HY000' });
  }
}
