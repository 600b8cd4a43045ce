import { LockstepError } from '@lockstep/base';

/**
 * tc reported a failed commit with something that is not a LockstepError (a LockstepError
 * from tc — CommitLogError 1026, PriorCommitFailedError 1964, ... — is passed on as is).
 */
export class CommitFailedError extends LockstepError {
  constructor(cause: unknown) {
    super('SERVER_COMMIT_FAILED', `commit failed: ${cause instanceof Error ? cause.message : String(cause)}`, { errno: 1180, sqlState: 'HY000', cause });
  }
}
