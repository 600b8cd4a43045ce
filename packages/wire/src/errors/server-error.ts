import { LockstepError } from '@lockstep/base';

/** The server answered with an ERR packet; `errno`, `sqlState` and the message are the server's. */
export class ServerError extends LockstepError {
  readonly serverMessage: string;

  constructor(errno: number, sqlState: string, message: string) {
    super('WIRE_SERVER_ERROR', `server error ${errno} (${sqlState}): ${message}`, { errno, sqlState });
    this.serverMessage = message;
  }
}
