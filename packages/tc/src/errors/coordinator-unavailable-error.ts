import { LockstepError } from '@lockstep/base';

/** The coordinator is closed, or refuses commits after a log failure until it is reopened. */
export class CoordinatorUnavailableError extends LockstepError {
  constructor(reason: string, cause?: unknown) {
    super('TC_UNAVAILABLE', `transaction coordinator unavailable: ${reason}`, { errno: 1026, sqlState: 'HY000', cause });
  }
}
