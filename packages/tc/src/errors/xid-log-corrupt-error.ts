import { LockstepError } from '@lockstep/base';

/** The XID log is damaged somewhere other than its torn tail. */
export class XidLogCorruptError extends LockstepError {
  readonly file: string;
  readonly offset: number;

  constructor(file: string, offset: number, detail: string) {
    super('TC_XID_LOG_CORRUPT', `XID log ${file} is corrupt at offset ${offset}: ${detail}`, { errno: 1194, sqlState: 'HY000' });
    this.file = file;
    this.offset = offset;
  }
}
