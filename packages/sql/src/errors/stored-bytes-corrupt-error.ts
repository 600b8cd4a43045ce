import { LockstepError } from '@lockstep/base';

/** Stored key or row bytes that do not decode: which structure, at which byte offset, and why. */
export class StoredBytesCorruptError extends LockstepError {
  readonly what: string;
  readonly offset: number;

  constructor(what: string, offset: number, detail: string) {
    super('SQL_STORED_BYTES_CORRUPT', `corrupt ${what} at byte ${offset}: ${detail}`, { errno: 1034, sqlState: 'HY000' });
    this.what = what;
    this.offset = offset;
  }
}
