import { LockstepError } from '@lockstep/base';

/** A frame arrived with a sequence id other than the one expected. */
export class PacketsOutOfOrderError extends LockstepError {
  constructor(expected: number, got: number, cause?: unknown) {
    super('WIRE_PACKETS_OUT_OF_ORDER', `Got packets out of order (expected sequence id ${expected}, got ${got})`, { errno: 1156, sqlState: '08S01', cause });
  }
}
