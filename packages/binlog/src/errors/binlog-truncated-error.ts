import { LockstepError } from '@lockstep/base';

/**
 * The bytes end inside an event: a file cut short by a crash or still being written.
 * `offset` is where the incomplete event starts, `needed` how many bytes it claims.
 */
export class BinlogTruncatedError extends LockstepError {
  readonly file: string;
  readonly offset: number;
  readonly available: number;
  readonly needed: number;

  constructor(file: string, offset: number, available: number, needed: number) {
    super('BINLOG_TRUNCATED', `binlog ${file || '(bytes)'} is truncated at offset ${offset}: ${available} bytes of an event needing ${needed}`, {
      errno: 1594,
      sqlState: 'HY000',
    });
    this.file = file;
    this.offset = offset;
    this.available = available;
    this.needed = needed;
  }
}
