import { LockstepError } from '@lockstep/base';

/** The server already has its maximum number of connections. */
export class TooManyConnectionsError extends LockstepError {
  constructor(limit: number, cause?: unknown) {
    super('WIRE_TOO_MANY_CONNECTIONS', `Too many connections (limit ${limit})`, { errno: 1040, sqlState: '08004', cause });
  }
}
