import { LockstepError } from '@lockstep/base';

/** More commits are queued than the configured bound allows. */
export class CommitQueueFullError extends LockstepError {
  constructor(limit: number) {
    super('TC_QUEUE_FULL', `commit queue is full (${limit} queued commits)`, { errno: 1040, sqlState: 'HY000' });
  }
}
