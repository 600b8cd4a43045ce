import { LockstepError } from '@lockstep/base';

/** SELECT @@x / SET x for a variable that does not exist: MySQL ER_UNKNOWN_SYSTEM_VARIABLE. */
export class UnknownSystemVariableError extends LockstepError {
  constructor(name: string) {
    super('SQL_UNKNOWN_SYSTEM_VARIABLE', `Unknown system variable '${name}'`, { errno: 1193, sqlState: 'HY000' });
  }
}
