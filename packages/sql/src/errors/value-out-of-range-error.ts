import { LockstepError } from '@lockstep/base';

/** An expression's result does not fit its type ('BIGINT value is out of range in ...'): MySQL ER_DATA_OUT_OF_RANGE. */
export class ValueOutOfRangeError extends LockstepError {
  constructor(typeName: string, expression: string) {
    super('SQL_VALUE_OUT_OF_RANGE', `${typeName} value is out of range in '${expression}'`, { errno: 1690, sqlState: '22003' });
  }
}
