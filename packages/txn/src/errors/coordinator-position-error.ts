import { LockstepError } from '@lockstep/base';

/** Coordinator-position bytes that are not the 16-byte encoding of `encodeCoordinatorPosition`. */
export class CoordinatorPositionError extends LockstepError {
  constructor(detail: string) {
    super('COORDINATOR_POSITION', `Bad coordinator position: ${detail}`);
  }
}
