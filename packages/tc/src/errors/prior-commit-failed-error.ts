import { LockstepError } from '@lockstep/base';

/** A transaction that had to commit before this one failed, so this one cannot commit. */
export class PriorCommitFailedError extends LockstepError {
  constructor(detail: string, cause?: unknown) {
    super('TC_PRIOR_COMMIT_FAILED', `Transaction that was supposed to commit before this one failed: ${detail}`, {
      errno: 1964,
      sqlState: 'HY000',
      cause,
    });
  }
}
