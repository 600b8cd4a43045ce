import { LockstepError } from '@lockstep/base';

/** CREATE TABLE of an existing table: MySQL ER_TABLE_EXISTS_ERROR. */
export class TableExistsError extends LockstepError {
  constructor(name: string) {
    super('SQL_TABLE_EXISTS', `Table '${name}' already exists`, { errno: 1050, sqlState: '42S01' });
  }
}
