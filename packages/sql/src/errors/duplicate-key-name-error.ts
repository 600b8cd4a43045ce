import { LockstepError } from '@lockstep/base';

/** Two indexes with one name: MySQL ER_DUP_KEYNAME. */
export class DuplicateKeyNameError extends LockstepError {
  constructor(name: string) {
    super('SQL_DUPLICATE_KEY_NAME', `Duplicate key name '${name}'`, { errno: 1061, sqlState: '42000' });
  }
}
