import { LockstepError } from '@lockstep/base';

/**
 * The primary cannot serve the binlog a replica asked for (purged, never written, ahead of
 * the binlog, unreadable). ER_MASTER_FATAL_ERROR_READING_BINLOG 1236, MariaDB's message text;
 * the replica shows it as "Got fatal error 1236 from master when reading data from binary log: ...".
 */
export class ReplicationSourceError extends LockstepError {
  constructor(message: string, cause?: unknown) {
    super('SERVER_BINLOG_DUMP', message, { errno: 1236, sqlState: 'HY000', ...(cause === undefined ? {} : { cause }) });
  }
}
