import { LockstepError } from '@lockstep/base';

/** SET GLOBAL with a value the variable cannot take. ER_WRONG_VALUE_FOR_VAR. */
export class WrongValueError extends LockstepError {
  readonly variable: string;

  constructor(variable: string, value: string) {
    super('SERVER_WRONG_VALUE', `Variable '${variable}' can't be set to the value of '${value}'`, { errno: 1231, sqlState: '42000' });
    this.variable = variable;
  }
}
