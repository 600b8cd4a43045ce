import { LockstepError } from '@lockstep/base';

/** A statement arrived while the server shuts down. ER_SERVER_SHUTDOWN. */
export class ShutdownError extends LockstepError {
  constructor() {
    super('SERVER_SHUTDOWN', 'Server shutdown in progress', { errno: 1053, sqlState: '08S01' });
  }
}
