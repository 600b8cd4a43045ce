import { LockstepError } from '@lockstep/base';

/** An engine checkpoint (a participant's `checkpoint()` or the BINLOG_CHECKPOINT write) failed; commits go on, the checkpoint is retried at the next trigger. */
export class CheckpointFailedError extends LockstepError {
  constructor(cause: unknown) {
    super('TC_CHECKPOINT_FAILED', `engine checkpoint failed: ${cause instanceof Error ? cause.message : 'unknown error'}`, { cause });
  }
}
