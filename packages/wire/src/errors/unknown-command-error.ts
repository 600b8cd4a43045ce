import { LockstepError } from '@lockstep/base';

/** A command byte the server does not implement. */
export class UnknownCommandError extends LockstepError {
  constructor(command: number, cause?: unknown) {
    super('WIRE_UNKNOWN_COMMAND', `Unknown command 0x${command.toString(16).padStart(2, '0')}`, { errno: 1047, sqlState: '08S01', cause });
  }
}
