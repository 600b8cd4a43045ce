import { LockstepError } from '@lockstep/base';

/** An option of `TransactionDb` or `begin` out of its range or of the wrong kind. */
export class InvalidOptionError extends LockstepError {
  readonly option: string;

  constructor(option: string, detail: string) {
    super('INVALID_OPTION', `Invalid option ${option}: ${detail}`, { errno: 1231, sqlState: '42000' });
    this.option = option;
  }
}
