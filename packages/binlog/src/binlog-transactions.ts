import { type BinlogReadOptions, readBinlogBatches } from './binlog-reader.js';
import type { BinlogPosition } from './binlog-files.js';
import { DEFAULT_BASE_NAME, parseBinlogFileName } from './binlog-files.js';
import type { TransactionFlags } from './binlog-writer.js';
import { GtidFlag } from './event-types.js';
import type { BinlogEvent } from './events.js';
import type { Gtid } from './gtid.js';
import { GroupTracker } from './internal/group-tracker.js';

/**
 * One logged transaction read back: the shape of `@lockstep/tc`'s `RecoveredTransaction<E>`
 * with `E` = its events (what came between the GTID event and the XID; for a DDL, the query).
 */
export interface BinlogTransaction {
  readonly gtid: Gtid;
  readonly commitId: bigint | undefined;
  readonly flags: TransactionFlags;
  /** The XID event's id; for a DDL the query's Q_XID status; 0n when there is none (a non-transactional group has no XID, in MariaDB too). */
  readonly xid: bigint;
  readonly events: readonly BinlogEvent[];
  /** Where the transaction's last event ends: what `writeGroup` returned for it. */
  readonly end: BinlogPosition;
}

/**
 * The binlog's complete transactions in order (for crash recovery: start at the
 * checkpoint file; for a replica: any start `readBinlog` takes). A group still open when
 * the binlog ends (cut by a crash) is not yielded; ROLLBACK-terminated groups are dropped.
 */
export async function* readBinlogTransactions(options: BinlogReadOptions): AsyncGenerator<BinlogTransaction, void, undefined> {
  const base = options.baseName ?? DEFAULT_BASE_NAME;
  const tracker = new GroupTracker();
  let head: { gtid: Gtid; commitId: bigint | undefined; flags: number } | undefined;
  let events: BinlogEvent[] = [];
  for await (const batch of readBinlogBatches(options)) {
    for (const p of batch) {
      const event = p.event;
      const where = tracker.feed(event);
      if (where === 'begin' && event.kind === 'gtid') {
        head = { gtid: tracker.gtid!, commitId: event.commitId, flags: event.gtidFlags };
        events = [];
        continue;
      }
      if (where !== 'inside' && where !== 'end') continue;
      if (head === undefined) continue; // a reader started inside a group
      if (where === 'inside') {
        // BEGIN of a non-transactional group is framing, like the GTID and the COMMIT.
        if (!(event.kind === 'query' && /^\s*BEGIN\b/i.test(event.sql))) events.push(event);
        continue;
      }
      const isXid = event.kind === 'xid';
      const isRollback = event.kind === 'query' && /^\s*ROLLBACK\b/i.test(event.sql);
      if (!isXid && !(event.kind === 'query' && /^\s*COMMIT\b/i.test(event.sql))) events.push(event);
      if (!isRollback) {
        const f = head.flags;
        const xid = isXid ? event.xid : event.kind === 'query' ? (event.status.xid ?? 0n) : 0n;
        yield {
          gtid: head.gtid,
          commitId: head.commitId,
          flags: {
            ddl: (f & GtidFlag.DDL) !== 0,
            transactional: (f & GtidFlag.TRANSACTIONAL) !== 0,
            waited: (f & GtidFlag.WAITED) !== 0,
            allowParallel: (f & GtidFlag.ALLOW_PARALLEL) !== 0,
          },
          xid,
          events,
          end: { file: p.file, logNumber: parseBinlogFileName(base, p.file) ?? 0, offset: p.position + p.size },
        };
      }
      head = undefined;
      events = [];
    }
  }
}
