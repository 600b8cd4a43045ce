import { LockstepError } from '@lockstep/base';

/** A binlog file or the index is missing, misnamed, or not where the caller asked. */
export class BinlogFileError extends LockstepError {
  readonly file: string;

  constructor(file: string, detail: string, cause?: unknown) {
    super('BINLOG_FILE', `binlog ${file}: ${detail}`, { errno: 1373, sqlState: 'HY000', cause });
    this.file = file;
  }
}
