import { LockstepError } from '@lockstep/base';

/** A two-phase-commit call named an XID the engine does not hold prepared, or one it already holds. */
export class KvXidError extends LockstepError {
  readonly xid: bigint;

  constructor(kind: 'unknown' | 'duplicate', xid: bigint) {
    if (kind === 'unknown') {
      // ER_XAER_NOTA: "Unknown XID".
      super('KV_XID_UNKNOWN', `XID ${xid} is not prepared in this engine`, { errno: 1397, sqlState: 'XAE04' });
    } else {
      // ER_XAER_DUPID: "The XID already exists".
      super('KV_XID_DUPLICATE', `XID ${xid} is already prepared in this engine`, { errno: 1440, sqlState: 'XAE08' });
    }
    this.xid = xid;
  }
}
