import { SimFileSystem } from '@lockstep/base';
import { forEachSeed } from '@lockstep/base/testing';
import { describe, expect, it } from 'vitest';
import { BinlogCoordinator, CommitOrderChain, formatGtid, recoverFromBinlog, type BinlogCommitResult } from '../src/index.js';
import { LineBinlog, LineEngine } from './binlog-fixtures.js';
import { settle } from './helpers.js';

async function openAll(fs: SimFileSystem) {
  const binlog = new LineBinlog(fs, '/db/binlog');
  const engine = new LineEngine(fs, '/db/engine');
  await binlog.open();
  await engine.open();
  const report = await recoverFromBinlog({
    transactions: () => binlog.read(),
    participants: [engine],
    durablePosition: () => engine.durable,
    redo: (_participant, transaction) => engine.redo(transaction),
  });
  const tc = new BinlogCoordinator<string>({ sink: binlog, serverId: 1, gtidState: report.gtidState });
  return { binlog, engine, tc, report };
}

async function freshFs(seed = 1): Promise<SimFileSystem> {
  const fs = new SimFileSystem({ seed });
  await fs.mkdir('/db');
  return fs;
}

describe('BinlogCoordinator', () => {
  it('assigns GTIDs in binlog order with a commit id on groups of two or more', async () => {
    const fs = await freshFs();
    const { binlog, engine, tc } = await openAll(fs);
    const first = await tc.logAndOrder({ xid: 1n, branches: [engine.branch(1n, 'a')], events: 'a' });
    expect(first.gtid).toEqual({ domainId: 0, serverId: 1, seqNo: 1n });
    const group = await Promise.all([2n, 3n, 4n].map((xid) => tc.logAndOrder({ xid, branches: [engine.branch(xid, `v${xid}`)], events: `v${xid}` })));
    expect(group.map((r) => r.gtid && formatGtid(r.gtid))).toEqual(['0-1-2', '0-1-3', '0-1-4']);
    const lines = await binlog.lines();
    expect(lines).toEqual(['0-1-1 - 1 a', '0-1-2 2 2 v2', '0-1-3 2 3 v3', '0-1-4 2 4 v4']);
    expect(engine.commitOrder).toEqual([1n, 2n, 3n, 4n]);
    expect(tc.gtidBinlogPos()).toEqual([{ domainId: 0, serverId: 1, seqNo: 4n }]);
  });

  it('syncs the binlog once per group and never syncs the engine on commit', async () => {
    const fs = await freshFs();
    const { engine, tc } = await openAll(fs);
    const before = fs.stats.datasync + fs.stats.sync;
    await Promise.all(Array.from({ length: 50 }, (_, i) => tc.logAndOrder({ xid: BigInt(i + 1), branches: [engine.branch(BigInt(i + 1), 'x')], events: 'x' })));
    const stats = tc.stats();
    expect(stats.commits).toBe(50);
    expect(fs.stats.datasync + fs.stats.sync - before).toBe(stats.groups);
    expect(stats.groups).toBeLessThan(50);
  });

  it('keeps GTIDs given by a replica, in ticket order, and continues local numbering after them', async () => {
    const fs = await freshFs();
    const { binlog, engine, tc } = await openAll(fs);
    const chain = new CommitOrderChain('domain-5');
    const tickets = [chain.issue(), chain.issue(), chain.issue()];
    const given = [10n, 11n, 12n].map((seqNo) => ({ domainId: 5, serverId: 9, seqNo }));
    // Arrive in reverse: the tickets put them back in order.
    const results = await Promise.all(
      [2, 1, 0].map((i) => tc.logAndOrder({ xid: BigInt(100 + i), branches: [engine.branch(BigInt(100 + i), `r${i}`)], events: `r${i}`, gtid: given[i]!, ticket: tickets[i]! })),
    );
    expect(results.every((r) => r.status === 'committed')).toBe(true);
    expect((await binlog.lines()).map((l) => l.split(' ')[0])).toEqual(['5-9-10', '5-9-11', '5-9-12']);
    const local = await tc.logAndOrder({ xid: 200n, branches: [engine.branch(200n, 'l')], events: 'l', domainId: 5 });
    expect(local.gtid).toEqual({ domainId: 5, serverId: 1, seqNo: 13n });
  });

  it('recovers after a crash at any point: acknowledged commits present, engine equals binlog, GTID state right', async () => {
    const seen = { redone: 0, lost: 0 };
    await forEachSeed(80, async (seed) => {
      const fs = await freshFs(seed);
      let { engine, tc } = await openAll(fs);
      const acknowledged = new Map<bigint, BinlogCommitResult>();
      const n = 20;
      const pending = Array.from({ length: n }, (_, i) => {
        const xid = BigInt(i + 1);
        return tc.logAndOrder({ xid, branches: [engine.branch(xid, `v${xid}`)], events: `v${xid}` }).then((r) => {
          if (r.status === 'committed') acknowledged.set(xid, r);
        });
      });
      for (let i = 0; i < seed % 7; i++) await settle();
      fs.crash({ unsynced: seed % 2 === 0 ? 'drop' : 'torn' });
      await Promise.allSettled(pending);
      const reopened = await openAll(fs);
      ({ engine, tc } = reopened);
      const logged = [];
      for await (const t of reopened.binlog.read()) logged.push(t);
      // Every acknowledged commit is in the binlog and in the engine.
      for (const [xid] of acknowledged) expect(engine.rows.get(xid), `xid ${xid} lost (seed ${seed})`).toBe(`v${xid}`);
      // Engine and binlog agree transaction for transaction.
      expect([...engine.rows.keys()].sort((a, b) => Number(a - b))).toEqual(logged.map((t) => t.xid).sort((a, b) => Number(a - b)));
      // GTID state = the last GTID in the binlog.
      const last = logged.at(-1);
      expect(tc.gtidBinlogPos()).toEqual(last === undefined ? [] : [last.gtid]);
      seen.redone += reopened.report.redone;
      seen.lost += n - logged.length;
    });
    expect(seen.redone).toBeGreaterThan(0); // some crashes lost engine commits that the binlog redid
    expect(seen.lost).toBeGreaterThan(0); // and some crashes came before the binlog was durable
  });
});
