import { LockstepError } from '@lockstep/base';

/** A row image too large for one binlog event: MySQL ER_BINLOG_ROW_LOGGING_FAILED. */
export class BinlogRowTooLargeError extends LockstepError {
  constructor(table: string, bytes: number, limit: number) {
    super('SQL_BINLOG_ROW_TOO_LARGE', `Writing one row to the row-based binary log failed: a row of ${table} takes ${bytes} bytes, more than the ${limit} one event may hold`, { errno: 1534, sqlState: 'HY000' });
  }
}
