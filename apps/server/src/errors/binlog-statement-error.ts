import { LockstepError } from '@lockstep/base';

/** A BINLOG '...' statement whose events cannot be applied (bad base64, events out of place). ER_UNKNOWN_ERROR as MariaDB reports it. */
export class BinlogStatementError extends LockstepError {
  constructor(detail: string, cause?: unknown) {
    super('SERVER_BINLOG_STATEMENT', `BINLOG statement: ${detail}`, { errno: 1105, sqlState: 'HY000', ...(cause === undefined ? {} : { cause }) });
  }
}
