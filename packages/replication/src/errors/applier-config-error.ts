import { LockstepError } from '@lockstep/base';

/** An applier option is out of range. */
export class ApplierConfigError extends LockstepError {
  constructor(detail: string) {
    super('REPL_BAD_CONFIG', `Invalid replica applier configuration: ${detail}`, { errno: 1210, sqlState: 'HY000' });
  }
}
