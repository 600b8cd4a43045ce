import { GtidFlag } from './event-types.js';
import type { BinlogEvent, PositionedBinlogEvent } from './events.js';
import type { Gtid } from './gtid.js';
import { isCommitQuery, isRollbackQuery } from './internal/group-tracker.js';

/** GTID flags as `@lockstep/replication` reads them (its `ReplicatedGtidFlags`). */
export interface ClassifiedGtidFlags {
  readonly standalone: boolean;
  readonly transactional: boolean;
  readonly allowParallel: boolean;
  readonly waited: boolean;
  readonly ddl: boolean;
}

/** The shape of `@lockstep/replication`'s `EventClass` (structurally the same type). */
export type BinlogEventClass =
  | {
      readonly kind: 'gtid';
      readonly gtid: Gtid;
      readonly commitId: bigint | undefined;
      readonly flags: ClassifiedGtidFlags;
      readonly timestampMs: number;
      readonly byteSize: number;
    }
  | { readonly kind: 'commit'; readonly byteSize: number }
  | { readonly kind: 'rollback'; readonly byteSize: number }
  | { readonly kind: 'other'; readonly byteSize: number };

function isPositioned(value: PositionedBinlogEvent | BinlogEvent): value is PositionedBinlogEvent {
  return 'event' in value && 'position' in value;
}

/**
 * What `assembleTransactions` (in `@lockstep/replication`) needs to know about an event:
 * a GTID opens a group (with its flags, commit id and timestamp), an XID or a COMMIT
 * query closes it, a ROLLBACK query discards it, anything else belongs to it. Pass the
 * positioned event the reader yields (its size is the byte size) or an event and its size.
 * Feed it only group events: drop file-structure events first (`isFileStructureEvent`).
 */
export function classifyBinlogEvent(input: PositionedBinlogEvent | BinlogEvent, byteSize?: number): BinlogEventClass {
  const event = isPositioned(input) ? input.event : input;
  const size = byteSize ?? (isPositioned(input) ? input.size : 0);
  switch (event.kind) {
    case 'gtid': {
      const f = event.gtidFlags;
      return {
        kind: 'gtid',
        gtid: { domainId: event.domainId, serverId: event.serverId, seqNo: event.seqNo },
        commitId: event.commitId,
        flags: {
          standalone: (f & GtidFlag.STANDALONE) !== 0,
          transactional: (f & GtidFlag.TRANSACTIONAL) !== 0,
          allowParallel: (f & GtidFlag.ALLOW_PARALLEL) !== 0,
          waited: (f & GtidFlag.WAITED) !== 0,
          ddl: (f & GtidFlag.DDL) !== 0,
        },
        timestampMs: event.timestamp * 1000,
        byteSize: size,
      };
    }
    case 'xid':
      return { kind: 'commit', byteSize: size };
    case 'query':
      if (isCommitQuery(event.sql)) return { kind: 'commit', byteSize: size };
      if (isRollbackQuery(event.sql)) return { kind: 'rollback', byteSize: size };
      return { kind: 'other', byteSize: size };
    default:
      return { kind: 'other', byteSize: size };
  }
}

/**
 * Events that describe the file or the stream, not a transaction: FORMAT_DESCRIPTION,
 * ROTATE, GTID_LIST, BINLOG_CHECKPOINT, HEARTBEAT, STOP. A relay-log reader drops them
 * before assembling transactions.
 */
export function isFileStructureEvent(input: PositionedBinlogEvent | BinlogEvent): boolean {
  const kind = (isPositioned(input) ? input.event : input).kind;
  return kind === 'formatDescription' || kind === 'rotate' || kind === 'gtidList' || kind === 'binlogCheckpoint' || kind === 'heartbeat' || kind === 'stop';
}
