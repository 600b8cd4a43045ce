import { LockstepError } from '@lockstep/base';

/** SET GLOBAL of a variable that cannot change while the server runs. ER_INCORRECT_GLOBAL_LOCAL_VAR's sibling ER_VARIABLE_IS_READONLY. */
export class ReadOnlyVariableError extends LockstepError {
  readonly variable: string;

  constructor(variable: string) {
    super('SERVER_READ_ONLY_VARIABLE', `Variable '${variable}' is a read only variable`, { errno: 1238, sqlState: 'HY000' });
    this.variable = variable;
  }
}
