import type { BinlogWriter, EventInput } from '@lockstep/binlog';
import type { BinlogSink, LoggedTransaction } from './binlog-coordinator.js';
import type { WrittenGroup } from './group-commit-queue.js';
import type { CoordinatorPosition } from './participant.js';

/** What one transaction carries into the binlog: its row events (after their table maps), or one DDL query. */
export type BinlogEvents = readonly EventInput[];

/** What the sink saw of one group's write: the file it went to and whether the writer rotated after it. */
export interface SinkWriteReport {
  readonly logNumber: number;
  readonly transactions: number;
  readonly bytes: number;
  /** The writer started a new file after this group (the file reached `maxFileBytes`). */
  readonly rotated: boolean;
}

/**
 * The real `BinlogSink`: `@lockstep/binlog`'s `BinlogWriter`. Each `LoggedTransaction` is
 * written as MariaDB 10.11 does — a GTID event (flags, the group's commit id), the
 * transaction's events, an XID event (a DDL: GTID + its query; non-transactional:
 * BEGIN ... COMMIT queries) — and a whole group with one append; `sync` is one fsync for
 * the group. Positions are `{ logNumber, offset }`: the binlog file number and the offset
 * just past the transaction's last event. The writer rotates by size after a group (the
 * group never spans two files); `onWrite` tells the coordinator about every group so it
 * can count, per file, what the engines still have to make durable.
 */
export class BinlogFileSink implements BinlogSink<BinlogEvents> {
  readonly writer: BinlogWriter;
  /** Called after each successful group write, before its sync. */
  onWrite: ((report: SinkWriteReport) => void) | undefined;

  constructor(writer: BinlogWriter) {
    this.writer = writer;
  }

  async writeGroup(transactions: readonly LoggedTransaction<BinlogEvents>[]): Promise<WrittenGroup> {
    const before = this.writer.position;
    const written = await this.writer.writeGroup(transactions);
    const positions: CoordinatorPosition[] = written.positions.map((p) => ({ logNumber: p.logNumber, offset: p.offset }));
    const last = positions[positions.length - 1];
    if (last !== undefined) {
      const after = this.writer.position;
      const bytes = last.logNumber === before.logNumber ? last.offset - before.offset : last.offset;
      this.onWrite?.({ logNumber: last.logNumber, transactions: positions.length, bytes, rotated: after.logNumber !== last.logNumber });
    }
    return { positions, sync: written.sync };
  }
}
