import { SimFileSystem } from '@lockstep/base';
import { describe, expect, it } from 'vitest';
import { BinlogWriter, readBinlog, type EventInput } from '../src/index.js';
import { sysbenchTransaction } from './sysbench-like.js';

// The contract @lockstep/tc states (packages/tc/src/binlog-coordinator.ts, participant.ts,
// group-commit-queue.ts), restated here because binlog must not import tc. If tc changes
// its shapes, this file is where binlog learns it: the assignment below stops compiling.
interface TcGtid {
  readonly domainId: number;
  readonly serverId: number;
  readonly seqNo: bigint;
}
interface TcGtidFlags {
  readonly ddl?: boolean;
  readonly transactional?: boolean;
  readonly waited?: boolean;
  readonly allowParallel?: boolean;
}
interface TcLoggedTransaction<E> {
  readonly gtid: TcGtid;
  readonly commitId: bigint | undefined;
  readonly flags: TcGtidFlags;
  readonly xid: bigint;
  readonly events: E;
}
interface TcCoordinatorPosition {
  readonly logNumber: number;
  readonly offset: number;
}
interface TcWrittenGroup {
  readonly positions: readonly TcCoordinatorPosition[];
  readonly sync: () => Promise<void>;
}
interface TcBinlogSink<E> {
  writeGroup(transactions: readonly TcLoggedTransaction<E>[]): Promise<TcWrittenGroup>;
}

describe("@lockstep/tc's BinlogSink contract", () => {
  it('BinlogWriter is a BinlogSink<readonly EventInput[]>: one group, positions per transaction, one sync', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    const writer = await BinlogWriter.open({ fs, dir: '/b', serverId: 1 });
    const sink: TcBinlogSink<readonly EventInput[]> = writer;
    const group: TcLoggedTransaction<readonly EventInput[]>[] = [1n, 2n, 3n].map((seqNo) => ({
      gtid: { domainId: 0, serverId: 1, seqNo },
      commitId: 1n,
      flags: { transactional: true },
      xid: seqNo,
      events: sysbenchTransaction(seqNo, Number(seqNo)),
    }));
    const syncsBefore = fs.stats.sync;
    const written = await sink.writeGroup(group);
    await written.sync();
    expect((fs.stats.sync) - syncsBefore).toBe(1);
    expect(written.positions.map((p) => p.logNumber)).toEqual([1, 1, 1]);
    const xidEnds: number[] = [];
    for await (const p of readBinlog({ fs, dir: '/b' })) if (p.event.kind === 'xid') xidEnds.push(p.position + p.size);
    expect(written.positions.map((p) => p.offset)).toEqual(xidEnds);
    await writer.close();
  });
});
