import { LockstepError } from '@lockstep/base';

/** commitPrepared / rollbackPrepared of an XID that is not prepared here. MySQL ER_XAER_NOTA. */
export class UnknownXidError extends LockstepError {
  readonly xid: bigint;

  constructor(xid: bigint) {
    super('UNKNOWN_XID', `Unknown XID (xid ${xid} is not prepared)`, { errno: 1397, sqlState: 'XAE04' });
    this.xid = xid;
  }
}
