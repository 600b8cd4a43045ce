import { LockstepError } from '@lockstep/base';

/** The event stream does not form transactions (an event outside a GTID group, a group left open at the end). */
export class EventStreamError extends LockstepError {
  constructor(detail: string) {
    super('REPL_BAD_EVENT_STREAM', `Malformed replication event stream: ${detail}`, { errno: 1594, sqlState: 'HY000' });
  }
}
