import { LockstepError } from '@lockstep/base';

/** The wait for a prior commit was killed (the applier kills a later transaction to retry it). */
export class CommitWaitKilledError extends LockstepError {
  constructor(detail: string) {
    super('TC_COMMIT_WAIT_KILLED', `Wait for prior commit was killed: ${detail}`, { errno: 1927, sqlState: '70100' });
  }
}
