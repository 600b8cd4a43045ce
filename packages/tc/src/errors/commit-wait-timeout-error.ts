import { LockstepError } from '@lockstep/base';

/** A commit waited longer than its bound for its predecessor. */
export class CommitWaitTimeoutError extends LockstepError {
  constructor(waitedMs: number) {
    super('TC_COMMIT_WAIT_TIMEOUT', `Wait for prior commit timed out after ${waitedMs} ms`, { errno: 1205, sqlState: 'HY000' });
  }
}
