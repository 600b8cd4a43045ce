import { LockstepError } from '@lockstep/base';

/** Writing or syncing the coordinator's log failed; the commit did not happen. */
export class CommitLogError extends LockstepError {
  constructor(message: string, cause?: unknown) {
    super('TC_COMMIT_LOG_FAILED', `commit log write failed: ${message}`, { errno: 1026, sqlState: 'HY000', cause });
  }
}
