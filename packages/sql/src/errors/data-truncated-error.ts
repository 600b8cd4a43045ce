import { LockstepError } from '@lockstep/base';

/** A numeric string had trailing garbage ('12abc' for an INTEGER column), strict mode: MySQL WARN_DATA_TRUNCATED. */
export class DataTruncatedError extends LockstepError {
  readonly column: string;
  readonly rowNumber: number;

  constructor(column: string, rowNumber: number) {
    super('SQL_DATA_TRUNCATED', `Data truncated for column '${column}' at row ${rowNumber}`, { errno: 1265, sqlState: '01000' });
    this.column = column;
    this.rowNumber = rowNumber;
  }
}
