import { LockstepError } from '@lockstep/base';

/** COM_PROCESS_KILL named a connection id that does not exist. */
export class NoSuchThreadError extends LockstepError {
  constructor(id: number) {
    super('WIRE_NO_SUCH_THREAD', `Unknown thread id: ${id}`, { errno: 1094, sqlState: 'HY000' });
  }
}
