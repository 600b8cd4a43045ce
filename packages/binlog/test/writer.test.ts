import { FileSystemError, ManualClock, SimFileSystem, Random } from '@lockstep/base';
import { forEachSeed } from '@lockstep/base/testing';
import { describe, expect, it } from 'vitest';
import {
  BinlogClosedError,
  BinlogEncodeError,
  BinlogTruncatedError,
  BinlogWriter,
  EventFlag,
  GtidPosition,
  readBinlog,
  readBinlogIndex,
  readBinlogBatches,
  MAX_READ_BATCH_EVENTS,
  transactionEvents,
  type PositionedBinlogEvent,
} from '../src/index.js';
import { sysbenchTransaction, txInput } from './sysbench-like.js';

const DIR = '/binlog';

async function readAll(fs: SimFileSystem, options: Partial<Parameters<typeof readBinlog>[0]> = {}): Promise<PositionedBinlogEvent[]> {
  const events: PositionedBinlogEvent[] = [];
  for await (const e of readBinlog({ fs, dir: DIR, ...options })) events.push(e);
  return events;
}

function gtidsOf(events: readonly PositionedBinlogEvent[]): string[] {
  return events.flatMap((p) => (p.event.kind === 'gtid' ? [`${p.event.domainId}-${p.event.serverId}-${p.event.seqNo}`] : []));
}

describe('BinlogWriter', () => {
  it('writes magic, format description (in use), GTID list, checkpoint, then groups; positions and next-positions are exact', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    const writer = await BinlogWriter.open({ fs, dir: DIR, serverId: 1, clock: new ManualClock() });
    const group = await writer.writeGroup([txInput(1n, sysbenchTransaction(1n, 5), { commitId: 1n }), txInput(2n, sysbenchTransaction(2n, 6), { commitId: 1n })]);
    await group.sync();
    const events = await readAll(fs);
    expect(events.map((e) => e.event.kind).slice(0, 4)).toEqual(['formatDescription', 'gtidList', 'binlogCheckpoint', 'gtid']);
    expect(events[0]!.event.flags & EventFlag.BINLOG_IN_USE).toBe(EventFlag.BINLOG_IN_USE);
    for (const e of events) expect(e.event.logPos, `${e.event.kind} at ${e.position}`).toBe(e.position + e.size);
    const xids = events.filter((e) => e.event.kind === 'xid');
    expect(group.positions.map((p) => p.offset)).toEqual(xids.map((x) => x.position + x.size));
    expect(group.positions[0]).toMatchObject({ file: 'binlog.000001', logNumber: 1 });
    const gtidEvents = events.filter((e) => e.event.kind === 'gtid').map((e) => e.event);
    expect(gtidEvents.map((g) => (g.kind === 'gtid' ? [g.gtidFlags, g.commitId] : []))).toEqual([
      [0x0e, 1n],
      [0x0e, 1n],
    ]);
    expect(writer.gtidPosition.toString()).toBe('0-1-2');
    await writer.close();
    const after = await readAll(fs);
    expect(after[0]!.event.flags & EventFlag.BINLOG_IN_USE).toBe(0);
    expect(await readBinlogIndex({ fs, dir: DIR })).toEqual(['binlog.000001']);
  });

  it('appendGroup takes ready-made transactions and returns the end of each', async () => {
    const fs = new SimFileSystem({ seed: 13 });
    const writer = await BinlogWriter.open({ fs, dir: DIR, serverId: 1 });
    const group = await writer.appendGroup([transactionEvents(txInput(1n, sysbenchTransaction(1n, 1))), transactionEvents(txInput(2n, sysbenchTransaction(2n, 2)))]);
    await group.sync();
    const xids = (await readAll(fs)).filter((e) => e.event.kind === 'xid');
    expect(group.positions.map((p) => p.offset)).toEqual(xids.map((x) => x.position + x.size));
    await expect(writer.appendGroup([[]])).rejects.toThrow(BinlogEncodeError);
    await writer.close();
  });

  it('a DDL is a standalone group without XID; a non-transactional one gets BEGIN/COMMIT', async () => {
    const fs = new SimFileSystem({ seed: 2 });
    const writer = await BinlogWriter.open({ fs, dir: DIR, serverId: 3 });
    const ddl = { kind: 'query' as const, threadId: 1, execTimeS: 0, errorCode: 0, database: 'db', sql: 'CREATE TABLE t (a INT)', status: { flags2: 0, sqlMode: 0n, catalog: 'std' } };
    await writer.writeGroup([txInput(1n, [ddl], { ddl: true, serverId: 3 })]);
    await writer.writeGroup([{ ...txInput(2n, [], { serverId: 3 }), flags: { transactional: false } }]);
    await writer.close();
    const kinds = (await readAll(fs)).slice(3).map((e) => (e.event.kind === 'query' ? `query:${e.event.sql}` : e.event.kind));
    expect(kinds).toEqual(['gtid', 'query:CREATE TABLE t (a INT)', 'gtid', 'query:BEGIN', 'query:COMMIT']);
    expect(() => transactionEvents(txInput(3n, [], { ddl: true }))).toThrow(BinlogEncodeError);
  });

  it('rotates by size with ROTATE events, GTID lists carrying the state, and the index', async () => {
    const fs = new SimFileSystem({ seed: 3 });
    const writer = await BinlogWriter.open({ fs, dir: DIR, serverId: 1, maxFileBytes: 4096 });
    for (let i = 1n; i <= 40n; i++) await writer.writeGroup([txInput(i, sysbenchTransaction(i, Number(i)), { domainId: Number(i % 2n) })]);
    await writer.close();
    const files = writer.files;
    expect(files.length).toBeGreaterThan(3);
    expect(await readBinlogIndex({ fs, dir: DIR })).toEqual(files);
    const events = await readAll(fs);
    const rotates = events.filter((e) => e.event.kind === 'rotate');
    expect(rotates.map((r) => (r.event.kind === 'rotate' ? r.event.nextFile : ''))).toEqual(files.slice(1));
    // Each file's GTID list is the state at its start.
    let state = new GtidPosition();
    for (const p of events) {
      if (p.event.kind === 'gtidList') expect(new GtidPosition(p.event.gtids).toString(), p.file).toBe(state.toString());
      if (p.event.kind === 'gtid') state = state.with({ domainId: p.event.domainId, serverId: p.event.serverId, seqNo: p.event.seqNo });
    }
    expect(gtidsOf(events).length).toBe(40);
    // From a GTID position: a later file is chosen and the rest skipped.
    const from = await readAll(fs, { start: { gtidPosition: GtidPosition.parse('0-1-30,1-1-31') } });
    expect(from[0]!.file).not.toBe('binlog.000001');
    expect(gtidsOf(from)).toEqual(['0-1-32', '1-1-33', '0-1-34', '1-1-35', '0-1-36', '1-1-37', '0-1-38', '1-1-39', '0-1-40']);
  });

  it('reopening after a clean close starts a new file and keeps the GTID state', async () => {
    const fs = new SimFileSystem({ seed: 4 });
    const first = await BinlogWriter.open({ fs, dir: DIR, serverId: 1 });
    await first.writeGroup([txInput(1n, sysbenchTransaction(1n, 1)), txInput(2n, sysbenchTransaction(2n, 2))]);
    await first.close();
    await expect(first.writeGroup([])).rejects.toThrow(BinlogClosedError);
    const second = await BinlogWriter.open({ fs, dir: DIR, serverId: 1 });
    expect(second.report).toMatchObject({ uncleanShutdown: false, truncatedBytes: 0, lastFile: 'binlog.000001' });
    expect(second.gtidPosition.toString()).toBe('0-1-2');
    expect(second.position.file).toBe('binlog.000002');
    await second.close();
  });

  const CRASH_SEEDS = Number(process.env.BINLOG_CRASH_SEEDS ?? 40);
  it(`crash at a random point (${CRASH_SEEDS} seeds, torn writes): every synced group survives, the tail is cut at a group boundary`, async () => {
    await forEachSeed(CRASH_SEEDS, async (seed) => {
      const random = new Random(seed);
      const fs = new SimFileSystem({ seed });
      const writer = await BinlogWriter.open({ fs, dir: DIR, serverId: 1, maxFileBytes: random.bool(0.5) ? 4096 : 1 << 20 });
      let seq = 0n;
      let synced = 0n;
      const groups = random.int(1, 25);
      for (let g = 0; g < groups; g++) {
        const size = random.int(1, 4);
        const txs = [];
        for (let i = 0; i < size; i++) {
          seq++;
          txs.push(txInput(seq, sysbenchTransaction(seq, random.int(1, 100)), size > 1 ? { commitId: seq - BigInt(i) } : {}));
        }
        const written = await writer.writeGroup(txs);
        if (random.bool(0.6)) {
          await written.sync();
          synced = seq;
        }
      }
      fs.crash({ unsynced: 'torn' });
      const reopened = await BinlogWriter.open({ fs, dir: DIR, serverId: 1 });
      expect(reopened.report.uncleanShutdown).toBe(true);
      const logged = reopened.gtidPosition.get(0)?.seqNo ?? 0n;
      expect(logged >= synced, `seed ${seed}: synced up to ${synced}, binlog has ${logged}`).toBe(true);
      await reopened.writeGroup([txInput(logged + 1n, sysbenchTransaction(logged + 1n, 1))]);
      await reopened.close();
      // The whole binlog reads cleanly with contiguous GTIDs and whole groups.
      const events = await readAll(fs);
      expect(gtidsOf(events)).toEqual(Array.from({ length: Number(logged + 1n) }, (_, i) => `0-1-${i + 1}`));
      expect(events.filter((e) => e.event.kind === 'xid').length).toBe(Number(logged + 1n));
    });
  });

  it('a failed write (disk full) leaves nothing behind and the writer keeps working', async () => {
    const fs = new SimFileSystem({ seed: 5 });
    const writer = await BinlogWriter.open({ fs, dir: DIR, serverId: 1 });
    await writer.writeGroup([txInput(1n, sysbenchTransaction(1n, 1))]);
    const before = writer.position.offset;
    fs.injectFault({ operations: ['write'], code: 'ENOSPC' });
    await expect(writer.writeGroup([txInput(2n, sysbenchTransaction(2n, 2))])).rejects.toThrow(FileSystemError);
    expect(writer.position.offset).toBe(before);
    expect(writer.gtidPosition.toString()).toBe('0-1-1');
    await writer.writeGroup([txInput(2n, sysbenchTransaction(2n, 2))]);
    await writer.close();
    expect(gtidsOf(await readAll(fs))).toEqual(['0-1-1', '0-1-2']);
  });

  it('a failed sync breaks the writer (its data state is unknown), with the cause', async () => {
    const fs = new SimFileSystem({ seed: 6 });
    const writer = await BinlogWriter.open({ fs, dir: DIR, serverId: 1 });
    const written = await writer.writeGroup([txInput(1n, sysbenchTransaction(1n, 1))]);
    fs.injectFault({ operations: ['sync'], code: 'EIO' });
    await expect(written.sync()).rejects.toThrow(FileSystemError);
    await expect(writer.sync()).rejects.toThrow(BinlogClosedError);
    await expect(writer.writeGroup([txInput(2n, sysbenchTransaction(2n, 2))])).rejects.toThrow(BinlogClosedError);
  });

  it('bounds: maxGroupBytes, maxFileBytes minimum', async () => {
    const fs = new SimFileSystem({ seed: 7 });
    await expect(BinlogWriter.open({ fs, dir: DIR, serverId: 1, maxFileBytes: 100 })).rejects.toThrow(BinlogEncodeError);
    const writer = await BinlogWriter.open({ fs, dir: DIR, serverId: 1, maxGroupBytes: 2000 });
    await expect(writer.writeGroup([txInput(1n, sysbenchTransaction(1n, 1)), txInput(2n, sysbenchTransaction(2n, 2))])).rejects.toThrow(/maxGroupBytes/);
    expect(writer.gtidPosition.size).toBe(0);
    await writer.close();
  });

  it('purge by name and by date, bounded by the checkpoint and the active file', async () => {
    const clock = new ManualClock();
    const fs = new SimFileSystem({ seed: 8, clock });
    const writer = await BinlogWriter.open({ fs, dir: DIR, serverId: 1, clock });
    for (let i = 1n; i <= 4n; i++) {
      await writer.writeGroup([txInput(i, sysbenchTransaction(i, 1))]);
      clock.advance(1000);
      await writer.rotate();
    }
    expect(writer.files).toEqual(['binlog.000001', 'binlog.000002', 'binlog.000003', 'binlog.000004', 'binlog.000005']);
    // The checkpoint still names the first file: nothing may go.
    expect(await writer.purgeTo('binlog.000003')).toEqual([]);
    await writer.checkpoint('binlog.000004');
    expect(await writer.purgeTo('binlog.000003')).toEqual(['binlog.000001', 'binlog.000002']);
    expect(await readBinlogIndex({ fs, dir: DIR })).toEqual(['binlog.000003', 'binlog.000004', 'binlog.000005']);
    expect(await fs.exists(`${DIR}/binlog.000001`)).toBe(false);
    expect(await writer.purgeBefore(clock.wallNow() + 10_000)).toEqual(['binlog.000003']);
    await expect(writer.purgeTo('binlog.000001')).rejects.toThrow(/not in the binlog index/);
    await expect(readAll(fs, { start: { gtidPosition: GtidPosition.parse('0-1-1') } })).rejects.toThrow(/purged/);
    await writer.close();
  });

  it('a reader follows a growing binlog across rotation, woken by the writer, and stops on abort', async () => {
    const fs = new SimFileSystem({ seed: 9 });
    const writer = await BinlogWriter.open({ fs, dir: DIR, serverId: 1, maxFileBytes: 4096 });
    const controller = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const p of readBinlog({
        fs,
        dir: DIR,
        follow: { signal: controller.signal, waitForAppend: (ms, signal) => writer.waitForAppend(ms, signal), idleTimeoutMs: 30_000, pollIntervalMs: 5 },
      })) {
        if (p.event.kind === 'gtid') seen.push(String(p.event.seqNo));
        if (seen.length === 30) controller.abort();
      }
    })();
    for (let i = 1n; i <= 30n; i++) {
      await writer.writeGroup([txInput(i, sysbenchTransaction(i, 1))]);
      await new Promise((r) => setImmediate(r));
    }
    await reading;
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 1)));
    expect(writer.files.length).toBeGreaterThan(2);
    await writer.close();
  });

  it('a ROTATE naming a file not there yet: a plain reader ends there, a follower waits for it', async () => {
    const fs = new SimFileSystem({ seed: 12 });
    const writer = await BinlogWriter.open({ fs, dir: DIR, serverId: 1 });
    await writer.writeGroup([txInput(1n, sysbenchTransaction(1n, 1))]);
    await writer.rotate();
    await writer.close();
    // As if the writer stopped between the ROTATE and creating the next file.
    await fs.unlink(`${DIR}/binlog.000002`);
    const events = await readAll(fs);
    expect(events[events.length - 1]!.event.kind).toBe('rotate');
    const clock = new ManualClock();
    const seen: string[] = [];
    const follow = { done: false };
    const follower = (async () => {
      for await (const p of readBinlog({ fs, dir: DIR, follow: { clock, idleTimeoutMs: 10_000, pollIntervalMs: 10 } })) {
        seen.push(`${p.file}:${p.event.kind}`);
        if (p.event.kind === 'gtid' && p.file === 'binlog.000002') break;
      }
      follow.done = true;
    })();
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setImmediate(r));
      clock.advance(10);
    }
    const again = await BinlogWriter.open({ fs, dir: DIR, serverId: 1 });
    expect(again.position.file).toBe('binlog.000002');
    await again.writeGroup([txInput(2n, sysbenchTransaction(2n, 1))]);
    for (let i = 0; i < 500 && !follow.done; i++) {
      await new Promise((r) => setImmediate(r));
      clock.advance(10);
    }
    await follower;
    expect(seen.slice(-4)).toEqual(['binlog.000002:formatDescription', 'binlog.000002:gtidList', 'binlog.000002:binlogCheckpoint', 'binlog.000002:gtid']);
    await again.close();
  });

  it('bound: readBinlogBatches yields at most MAX_READ_BATCH_EVENTS events per batch', async () => {
    const fs = new SimFileSystem({ seed: 11 });
    const writer = await BinlogWriter.open({ fs, dir: DIR, serverId: 1 });
    for (let i = 1n; i <= 300n; i++) await writer.writeGroup([txInput(i, sysbenchTransaction(i, 1))]);
    await writer.close();
    const sizes: number[] = [];
    for await (const batch of readBinlogBatches({ fs, dir: DIR, chunkBytes: 1 << 20 })) sizes.push(batch.length);
    expect(Math.max(...sizes)).toBe(MAX_READ_BATCH_EVENTS);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(3 + 300 * 10);
  });

  it('a follower with nothing new stops after its idle bound; a reader not following reports a cut file', async () => {
    const fs = new SimFileSystem({ seed: 10 });
    const clock = new ManualClock();
    const writer = await BinlogWriter.open({ fs, dir: DIR, serverId: 1, clock });
    await writer.writeGroup([txInput(1n, sysbenchTransaction(1n, 1))]);
    await writer.sync();
    const events: PositionedBinlogEvent[] = [];
    const done = (async () => {
      for await (const p of readBinlog({ fs, dir: DIR, follow: { clock, idleTimeoutMs: 1000, pollIntervalMs: 100 } })) events.push(p);
    })();
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setImmediate(r));
      clock.advance(100);
    }
    await done;
    expect(gtidsOf(events)).toEqual(['0-1-1']);
    // Cut the file inside its last event: a plain reader names the file and offset.
    const end = writer.position.offset;
    const handle = await fs.open(`${DIR}/binlog.000001`);
    await handle.truncate(end - 5);
    await handle.close();
    const error = await readAll(fs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BinlogTruncatedError);
    expect((error as BinlogTruncatedError).file).toBe('binlog.000001');
    expect((error as BinlogTruncatedError).offset).toBeLessThan(end);
  });
});
