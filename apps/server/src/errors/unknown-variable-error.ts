import { LockstepError } from '@lockstep/base';

/** SET GLOBAL / SELECT @@GLOBAL of a variable the server does not have. ER_UNKNOWN_SYSTEM_VARIABLE. */
export class UnknownVariableError extends LockstepError {
  readonly variable: string;

  constructor(variable: string) {
    super('SERVER_UNKNOWN_VARIABLE', `Unknown system variable '${variable}'`, { errno: 1193, sqlState: 'HY000' });
    this.variable = variable;
  }
}
