import { LockstepError } from '@lockstep/base';

/** A binlog stream gave up reconnecting after its bounded number of attempts. */
export class ReconnectExhaustedError extends LockstepError {
  readonly attempts: number;

  constructor(attempts: number, cause: unknown) {
    super('WIRE_RECONNECT_EXHAUSTED', `gave up reconnecting after ${attempts} attempts`, { errno: 2003, sqlState: 'HY000', cause });
    this.attempts = attempts;
  }
}
