import { LockstepError } from '@lockstep/base';

/**
 * Well-formed bytes this package does not decode: a row of a table with a column type
 * outside the supported subset (DECIMAL, ENUM, TIMESTAMP, ...). `file` and `offset` name
 * the event.
 */
export class BinlogUnsupportedError extends LockstepError {
  readonly file: string;
  readonly offset: number;

  constructor(file: string, offset: number, detail: string) {
    super('BINLOG_UNSUPPORTED', `binlog ${file || '(bytes)'} at offset ${offset}: ${detail}`, { errno: 1235, sqlState: '42000' });
    this.file = file;
    this.offset = offset;
  }
}
