import { LockstepError } from '@lockstep/base';

/** A row would repeat a primary or unique key: MySQL ER_DUP_ENTRY. */
export class DuplicateEntryError extends LockstepError {
  readonly keyName: string;

  constructor(entry: string, keyName: string) {
    super('SQL_DUPLICATE_ENTRY', `Duplicate entry '${entry}' for key '${keyName}'`, { errno: 1062, sqlState: '23000' });
    this.keyName = keyName;
  }
}
