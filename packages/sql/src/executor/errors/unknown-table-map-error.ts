import { LockstepError } from '@lockstep/base';

/** A rows event whose table id no earlier TABLE_MAP of the transaction defined. */
export class UnknownTableMapError extends LockstepError {
  constructor(tableId: number) {
    super('SQL_UNKNOWN_TABLE_MAP', `rows event for table id ${tableId} without a TABLE_MAP before it`);
  }
}
