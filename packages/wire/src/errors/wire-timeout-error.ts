import { LockstepError } from '@lockstep/base';

/** A bounded wait ran out: handshake, idle (wait_timeout), connect, read or heartbeat. */
export class WireTimeoutError extends LockstepError {
  constructor(what: string, limitMs: number, cause?: unknown) {
    super('WIRE_TIMEOUT', `Got timeout reading communication packets (${what} exceeded ${limitMs} ms)`, { errno: 1159, sqlState: '08S01', cause });
  }
}
