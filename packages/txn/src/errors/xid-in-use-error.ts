import { LockstepError } from '@lockstep/base';

/** `prepare` with an XID that a prepared transaction already uses. MySQL ER_XAER_DUPID. */
export class XidInUseError extends LockstepError {
  readonly xid: bigint;

  constructor(xid: bigint) {
    super('XID_IN_USE', `The XID already exists (xid ${xid})`, { errno: 1440, sqlState: 'XAE08' });
    this.xid = xid;
  }
}
