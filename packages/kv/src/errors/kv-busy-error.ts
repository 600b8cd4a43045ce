import { LockstepError } from '@lockstep/base';

/**
 * The engine refuses work it has no room for: the directory is already open in this process,
 * or a named bound (queued writers, buffered log bytes) is reached.
 */
export class KvBusyError extends LockstepError {
  constructor(detail: string) {
    // MySQL has no errno for "the engine cannot take more work now"; callers retry or back off.
    super('KV_BUSY', `storage engine busy: ${detail}`);
  }
}
