import { LockstepError } from '@lockstep/base';

/** An INSERT row has more or fewer values than columns: MySQL ER_WRONG_VALUE_COUNT_ON_ROW. */
export class ColumnCountError extends LockstepError {
  constructor(rowNumber: number) {
    super('SQL_COLUMN_COUNT', `Column count doesn't match value count at row ${rowNumber}`, { errno: 1136, sqlState: '21S01' });
  }
}
