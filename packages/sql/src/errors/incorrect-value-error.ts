import { LockstepError } from '@lockstep/base';

/**
 * A value cannot be read as the column's type at all (strict mode), e.g. 'abc' for an
 * INTEGER column or invalid UTF-8 for a text column: MySQL ER_TRUNCATED_WRONG_VALUE_FOR_FIELD.
 */
export class IncorrectValueError extends LockstepError {
  readonly column: string;
  readonly rowNumber: number;

  constructor(typeName: string, shownValue: string, column: string, rowNumber: number) {
    super('SQL_INCORRECT_VALUE', `Incorrect ${typeName} value: '${shownValue}' for column '${column}' at row ${rowNumber}`, {
      errno: 1366,
      sqlState: '22007',
    });
    this.column = column;
    this.rowNumber = rowNumber;
  }
}
