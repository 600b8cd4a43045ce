import { LockstepError } from '@lockstep/base';

/** The peer closed the connection, or it was closed locally, while an operation was in progress. */
export class ConnectionClosedError extends LockstepError {
  constructor(detail: string, cause?: unknown) {
    super('WIRE_CONNECTION_CLOSED', `Lost connection to server: ${detail}`, { errno: 2013, sqlState: 'HY000', cause });
  }
}
