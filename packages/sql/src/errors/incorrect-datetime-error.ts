import { LockstepError } from '@lockstep/base';

/** A value is not a valid DATETIME (strict mode): MySQL ER_TRUNCATED_WRONG_VALUE. */
export class IncorrectDatetimeError extends LockstepError {
  constructor(shownValue: string, column: string | undefined, rowNumber: number) {
    super(
      'SQL_INCORRECT_DATETIME',
      column === undefined
        ? `Incorrect datetime value: '${shownValue}'`
        : `Incorrect datetime value: '${shownValue}' for column '${column}' at row ${rowNumber}`,
      { errno: 1292, sqlState: '22007' },
    );
  }
}
