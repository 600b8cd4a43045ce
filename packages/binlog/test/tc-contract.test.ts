import { SimFileSystem } from '@lockstep/base';
import { describe, expect, it } from 'vitest';
import { BinlogWriter, readBinlog, readBinlogTransactions, type EventInput } from '../src/index.js';
import { sysbenchTransaction, txInput } from './sysbench-like.js';

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

interface TcRecoveredTransaction<E> extends TcLoggedTransaction<E> {
  readonly end: TcCoordinatorPosition;
}

describe("@lockstep/tc's BinlogSink contract", () => {
  it('readBinlogTransactions yields tc RecoveredTransactions: what writeGroup wrote, ending where it said', async () => {
    const fs = new SimFileSystem({ seed: 2 });
    const writer = await BinlogWriter.open({ fs, dir: '/r', serverId: 1, maxFileBytes: 4096 });
    const ddl: EventInput = { kind: 'query', threadId: 1, execTimeS: 0, errorCode: 0, database: 'db', sql: 'CREATE TABLE t (a INT)', status: { xid: 77n } };
    const groups: TcLoggedTransaction<readonly EventInput[]>[][] = [
      [txInput(1n, sysbenchTransaction(1n, 1), { commitId: 1n }), txInput(2n, sysbenchTransaction(2n, 2), { commitId: 1n })],
      [txInput(3n, [ddl], { ddl: true })],
      [{ ...txInput(4n, sysbenchTransaction(4n, 4)), flags: { transactional: false } }],
      [{ ...txInput(5n, sysbenchTransaction(5n, 5)), flags: { transactional: true, waited: true } }],
    ];
    const ends: TcCoordinatorPosition[] = [];
    for (const g of groups) ends.push(...(await writer.writeGroup(g)).positions);
    // A group cut by a crash is not yielded: append a GTID with no end.
    await writer.append([{ kind: 'gtid', seqNo: 6n, domainId: 0, gtidFlags: 0x0c, commitId: undefined, extra: new Uint8Array(0) }]);
    await writer.sync();
    const recovered: TcRecoveredTransaction<readonly EventInput[]>[] = [];
    for await (const t of readBinlogTransactions({ fs, dir: '/r' })) recovered.push(t);
    expect(recovered.map((t) => t.gtid.seqNo)).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(recovered.map((t) => ({ logNumber: t.end.logNumber, offset: t.end.offset }))).toEqual(ends.map((e) => ({ logNumber: e.logNumber, offset: e.offset })));
    expect(recovered.map((t) => t.commitId)).toEqual([1n, 1n, undefined, undefined, undefined]);
    // A non-transactional group has no XID (MariaDB logs none either): 0n.
    expect(recovered.map((t) => t.xid)).toEqual([1001n, 1002n, 77n, 0n, 1005n]);
    expect(recovered[2]!.flags).toMatchObject({ ddl: true });
    expect(recovered[3]!.flags).toMatchObject({ transactional: false });
    expect(recovered[4]!.flags).toMatchObject({ transactional: true, waited: true });
    const flat = groups.flat();
    recovered.forEach((t, i) => {
      expect(t.events.map((e) => e.kind)).toEqual(flat[i]!.events.map((e) => e.kind));
    });
    await writer.close();
  });

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
