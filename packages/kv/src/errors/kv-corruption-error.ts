import { LockstepError } from '@lockstep/base';

/**
 * A stored file is damaged where damage cannot be a torn tail: a checkpoint or the manifest
 * (both are renamed into place only after an fsync), or a log record followed by later
 * intact records. Names the file and the byte offset of the bad record.
 */
export class KvCorruptionError extends LockstepError {
  readonly file: string;
  readonly offset: number;

  constructor(file: string, offset: number, detail: string) {
    // 1194 is MySQL's ER_CRASHED_ON_USAGE ("Table is marked as crashed and should be repaired").
    super('KV_CORRUPTION', `${file} is corrupt at offset ${offset}: ${detail}`, { errno: 1194, sqlState: 'HY000' });
    this.file = file;
    this.offset = offset;
  }
}
