import { LockstepError } from '@lockstep/base';

/**
 * Bytes that cannot be a valid binlog event: a bad checksum, a size that does not fit, a
 * field that points outside its event, a value of the wrong type. `file` is the binlog
 * file name ('' for bytes that came from no file) and `offset` the event's position in it.
 * errno 1594 is MySQL's ER_SLAVE_RELAY_LOG_READ_FAILURE ("log corrupted").
 */
export class BinlogCorruptError extends LockstepError {
  readonly file: string;
  readonly offset: number;
  readonly detail: string;

  constructor(file: string, offset: number, detail: string, cause?: unknown) {
    super('BINLOG_CORRUPT', `binlog ${file || '(bytes)'} is corrupt at offset ${offset}: ${detail}`, { errno: 1594, sqlState: 'HY000', cause });
    this.file = file;
    this.offset = offset;
    this.detail = detail;
  }
}
