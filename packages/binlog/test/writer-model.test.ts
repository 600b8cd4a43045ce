import { SimFileSystem } from '@lockstep/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BinlogCorruptError, BinlogWriter, readBinlog, type PositionedBinlogEvent } from '../src/index.js';
import { FUZZ_RUNS } from './helpers.js';
import { sysbenchTransaction, txInput } from './sysbench-like.js';

const DIR = '/m';

/** The reference: GTIDs written, and how many of them are known durable. */
interface Model {
  written: bigint[];
  durable: number;
}

interface Real {
  fs: SimFileSystem;
  writer: BinlogWriter;
}

async function gtidsOnDisk(fs: SimFileSystem): Promise<bigint[]> {
  const out: bigint[] = [];
  for await (const p of readBinlog({ fs, dir: DIR })) if (p.event.kind === 'gtid') out.push(p.event.seqNo);
  return out;
}

class WriteGroup implements fc.AsyncCommand<Model, Real> {
  constructor(readonly size: number, readonly sync: boolean) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const first = BigInt(m.written.length + 1);
    const txs = Array.from({ length: this.size }, (_, i) => txInput(first + BigInt(i), sysbenchTransaction(first + BigInt(i), i + 1), this.size > 1 ? { commitId: first } : {}));
    const written = await r.writer.writeGroup(txs);
    expect(written.positions.length).toBe(this.size);
    for (let i = 0; i < this.size; i++) m.written.push(first + BigInt(i));
    if (this.sync) {
      await written.sync();
      m.durable = m.written.length;
    }
  }
  toString(): string {
    return `writeGroup(${this.size}${this.sync ? ', sync' : ''})`;
  }
}

class Rotate implements fc.AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    await r.writer.rotate(); // rotation syncs the old file
    m.durable = m.written.length;
  }
  toString(): string {
    return 'rotate';
  }
}

class CrashAndReopen implements fc.AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    r.fs.crash({ unsynced: 'torn' });
    r.writer = await BinlogWriter.open({ fs: r.fs, dir: DIR, serverId: 1, maxFileBytes: 8192 });
    const onDisk = await gtidsOnDisk(r.fs);
    // Every durable group survived; anything after it is a prefix of what was written.
    expect(onDisk.length).toBeGreaterThanOrEqual(m.durable);
    expect(onDisk).toEqual(m.written.slice(0, onDisk.length));
    m.written = onDisk;
    m.durable = onDisk.length;
    expect(r.writer.gtidPosition.get(0)?.seqNo ?? 0n).toBe(BigInt(onDisk.length));
  }
  toString(): string {
    return 'crash+reopen';
  }
}

class CloseAndReopen implements fc.AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    await r.writer.close();
    r.writer = await BinlogWriter.open({ fs: r.fs, dir: DIR, serverId: 1, maxFileBytes: 8192 });
    expect(r.writer.report.uncleanShutdown).toBe(false);
    m.durable = m.written.length;
    expect(await gtidsOnDisk(r.fs)).toEqual(m.written);
  }
  toString(): string {
    return 'close+reopen';
  }
}

describe('writer model (fast-check commands against a list of GTIDs)', () => {
  it('writes, syncs, rotations, crashes and reopens keep the binlog a durable-covering prefix of what was written', async () => {
    const commands = [
      fc.tuple(fc.integer({ min: 1, max: 4 }), fc.boolean()).map(([n, sync]) => new WriteGroup(n, sync)),
      fc.constant(new Rotate()),
      fc.constant(new CrashAndReopen()),
      fc.constant(new CloseAndReopen()),
    ];
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), fc.commands(commands, { maxCommands: 25 }), async (seed, cmds) => {
        const fs = new SimFileSystem({ seed });
        const real: Real = { fs, writer: await BinlogWriter.open({ fs, dir: DIR, serverId: 1, maxFileBytes: 8192 }) };
        await fc.asyncModelRun(() => ({ model: { written: [], durable: 0 }, real }), cmds);
        await real.writer.close();
        const events: PositionedBinlogEvent[] = [];
        for await (const p of readBinlog({ fs, dir: DIR })) events.push(p);
        for (const p of events) expect(p.event.logPos).toBe(p.position + p.size);
      }),
      { numRuns: Math.max(20, Math.floor(FUZZ_RUNS / 10)) },
    );
  });

  it('a cleanly closed last file that is damaged is an error at open, never cut silently', async () => {
    const fs = new SimFileSystem({ seed: 3 });
    const writer = await BinlogWriter.open({ fs, dir: DIR, serverId: 1 });
    await writer.writeGroup([txInput(1n, sysbenchTransaction(1n, 1))]);
    await writer.close();
    const handle = await fs.open(`${DIR}/binlog.000001`);
    const size = await handle.size();
    await handle.write(Uint8Array.of(0xff), size - 40);
    await handle.sync();
    await handle.close();
    const error = await BinlogWriter.open({ fs, dir: DIR, serverId: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BinlogCorruptError);
    expect((error as BinlogCorruptError).file).toBe('binlog.000001');
  });
});
