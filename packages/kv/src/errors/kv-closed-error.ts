import { LockstepError } from '@lockstep/base';

/** The store, iterator or snapshot was closed (or released) before this call. */
export class KvClosedError extends LockstepError {
  constructor(what: string) {
    super('KV_CLOSED', `${what} is closed`);
  }
}
