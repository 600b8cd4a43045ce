import { GtidFlag } from '../event-types.js';
import type { BinlogEvent } from '../events.js';
import type { Gtid } from '../gtid.js';

export type GroupStep =
  /** Not in any group (file header events, heartbeats). */
  | 'outside'
  | 'begin'
  | 'inside'
  /** This event closes the group (XID, COMMIT/ROLLBACK query, the one event of a standalone group). */
  | 'end';

export function isCommitQuery(sql: string): boolean {
  return /^\s*(COMMIT|XA\s+COMMIT)\b/i.test(sql);
}

export function isRollbackQuery(sql: string): boolean {
  return /^\s*(ROLLBACK|XA\s+ROLLBACK)\b/i.test(sql) && !/^\s*ROLLBACK\s+TO\b/i.test(sql);
}

/** Follows GTID groups through an event stream: where each begins and ends. */
export class GroupTracker {
  gtid: Gtid | undefined;
  #standalone = false;

  get inGroup(): boolean {
    return this.gtid !== undefined;
  }

  feed(event: BinlogEvent): GroupStep {
    if (event.kind === 'gtid') {
      this.gtid = { domainId: event.domainId, serverId: event.serverId, seqNo: event.seqNo };
      this.#standalone = (event.gtidFlags & GtidFlag.STANDALONE) !== 0;
      return 'begin';
    }
    if (this.gtid === undefined) return 'outside';
    const ends =
      event.kind === 'xid' ||
      (event.kind === 'query' && (isCommitQuery(event.sql) || isRollbackQuery(event.sql))) ||
      (this.#standalone && event.kind !== 'annotateRows' && event.kind !== 'unknown');
    if (ends) {
      this.gtid = undefined;
      return 'end';
    }
    return 'inside';
  }

  reset(): void {
    this.gtid = undefined;
  }
}
