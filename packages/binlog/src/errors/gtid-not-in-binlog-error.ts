import { LockstepError } from '@lockstep/base';

/**
 * A requested GTID start state cannot be served: its position was purged, or it is ahead
 * of everything logged. errno 1236 is ER_MASTER_FATAL_ERROR_READING_BINLOG, what MariaDB
 * sends a replica in both cases.
 */
export class GtidNotInBinlogError extends LockstepError {
  constructor(detail: string) {
    super('BINLOG_GTID_NOT_FOUND', `cannot start from the requested GTID state: ${detail}`, { errno: 1236, sqlState: 'HY000' });
  }
}
