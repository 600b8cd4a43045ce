import { LockstepError } from '@lockstep/base';

/** A write while the server is read-only: MySQL ER_OPTION_PREVENTS_STATEMENT. */
export class ReadOnlyError extends LockstepError {
  constructor() {
    super('SQL_READ_ONLY', 'The MariaDB server is running with the --read-only option so it cannot execute this statement', { errno: 1290, sqlState: 'HY000' });
  }
}
