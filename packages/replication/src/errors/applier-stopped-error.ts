import { LockstepError } from '@lockstep/base';

/** The applier stopped (or was stopped by force) before this transaction could commit; it was rolled back. */
export class ApplierStoppedError extends LockstepError {
  constructor(detail: string) {
    super('REPL_STOPPED', `Replica applier stopped: ${detail}`, { errno: 1927, sqlState: '70100' });
  }
}
