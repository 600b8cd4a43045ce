import { LockstepError } from '@lockstep/base';

/** The writer was closed, or broken by an earlier failed write (then `cause` says why). */
export class BinlogClosedError extends LockstepError {
  constructor(detail: string, cause?: unknown) {
    super('BINLOG_CLOSED', `binlog writer unavailable: ${detail}`, { cause });
  }
}
