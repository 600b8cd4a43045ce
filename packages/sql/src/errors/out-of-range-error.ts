import { LockstepError } from '@lockstep/base';

/** A value does not fit the column's type (strict mode): MySQL ER_WARN_DATA_OUT_OF_RANGE. */
export class OutOfRangeError extends LockstepError {
  readonly column: string;
  readonly rowNumber: number;

  constructor(column: string, rowNumber: number) {
    super('SQL_OUT_OF_RANGE', `Out of range value for column '${column}' at row ${rowNumber}`, { errno: 1264, sqlState: '22003' });
    this.column = column;
    this.rowNumber = rowNumber;
  }
}
