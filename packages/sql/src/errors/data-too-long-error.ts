import { LockstepError } from '@lockstep/base';

/** A string or byte value longer than the column allows (strict mode): MySQL ER_DATA_TOO_LONG. */
export class DataTooLongError extends LockstepError {
  readonly column: string;
  readonly rowNumber: number;

  constructor(column: string, rowNumber: number) {
    super('SQL_DATA_TOO_LONG', `Data too long for column '${column}' at row ${rowNumber}`, { errno: 1406, sqlState: '22001' });
    this.column = column;
    this.rowNumber = rowNumber;
  }
}
