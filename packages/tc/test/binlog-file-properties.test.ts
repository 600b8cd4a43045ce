import { SimFileSystem } from '@lockstep/base';
import { forEachSeed } from '@lockstep/base/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BinlogFileCoordinator,
  CommitOrderChain,
  CommitWaitKilledError,
  CommitLogError,
  PriorCommitFailedError,
  formatGtid,
  readBinlogTransactions,
  type BinlogCommitResult,
} from '../src/index.js';
import { OrderLog, recordingBranch, settle } from './helpers.js';
import { rowEvents } from './real-stack.js';

/** The coordinator on the real binlog writer, with recording branches (no engine). */
async function openTc(seed: number): Promise<{ sim: SimFileSystem; tc: BinlogFileCoordinator }> {
  const sim = new SimFileSystem({ seed });
  await sim.mkdir('/db');
  const tc = await BinlogFileCoordinator.open({
    fs: sim,
    dir: '/db/binlog',
    serverId: 1,
    participants: [],
    durablePosition: () => undefined,
    redo: () => Promise.resolve(),
    engineCheckpointIntervalMs: 0,
    maxFileBytes: 8192,
  });
  return { sim, tc };
}

async function loggedXids(sim: SimFileSystem): Promise<bigint[]> {
  const xids: bigint[] = [];
  for await (const t of readBinlogTransactions({ fs: sim, dir: '/db/binlog' })) xids.push(t.xid);
  return xids;
}

const events = (i: number) => rowEvents([{ type: 'insert', id: i, v: `v${i}` }]);

describe('ordering properties with the real binlog sink', () => {
  it('prepareOrdered and commitOrdered order equal binlog order, and each chain commits in ticket order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        async (chains, arrivals, seed) => {
          const { sim, tc } = await openTc(seed);
          const chainObjects = Array.from({ length: chains }, (_, i) => new CommitOrderChain(`d${i}`));
          const log = new OrderLog();
          const items = arrivals.map(([c, delay], i) => ({ i, delay, chain: c < chains ? c : undefined, ticket: c < chains ? chainObjects[c]!.issue(`c${i}`) : undefined }));
          // Arrival order: by delay (a number of event-loop turns), ties in reverse.
          const results = await Promise.all(
            items.map(async (item) => {
              for (let d = 0; d < item.delay; d++) await settle();
              return tc.logAndOrder({
                xid: BigInt(item.i + 1),
                branches: [recordingBranch(String(item.i + 1), log)],
                events: events(item.i),
                ...(item.ticket === undefined ? {} : { ticket: item.ticket, domainId: 10 + item.chain! }),
              });
            }),
          );
          expect(results.every((r) => r.status === 'committed')).toBe(true);
          const xids = (await loggedXids(sim)).map(String);
          expect(log.commitOrdered).toEqual(xids);
          expect(log.prepareOrdered).toEqual(xids);
          for (let c = 0; c < chains; c++) {
            const seqs = xids.map(Number).filter((x) => items[x - 1]!.chain === c);
            expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
          }
          // GTIDs are assigned in binlog order per domain.
          for (const r of results) expect(r.gtid).toBeDefined();
          await tc.close();
        },
      ),
      { numRuns: Number(process.env.TC_PROPERTY_RUNS ?? 40) },
    );
  });

  it('a replica chain arriving in any order while its predecessor syncs costs one more group, in ticket order, with one commit id', async () => {
    await forEachSeed(20, async (seed) => {
      const { sim, tc } = await openTc(seed);
      const chain = new CommitOrderChain('domain-5');
      const n = 2 + (seed % 12);
      const tickets = Array.from({ length: n + 1 }, () => chain.issue());
      sim.pauseSyncs();
      const first = tc.logAndOrder({ xid: 1n, branches: [], events: events(0), ticket: tickets[0]!, gtid: { domainId: 5, serverId: 9, seqNo: 100n } });
      while (sim.pausedSyncCount === 0) await settle();
      const afterFirst = tc.writer.position.offset;
      const order = Array.from({ length: n }, (_, i) => i + 1);
      let x = seed;
      for (let i = n - 1; i > 0; i--) {
        x = (x * 1103515245 + 12345) % 2147483648;
        const j = x % (i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      // Every successor arrives in one synchronous step, in shuffled order.
      const pending = order.map((i) => tc.logAndOrder({ xid: BigInt(i + 1), branches: [], events: events(i), ticket: tickets[i]!, gtid: { domainId: 5, serverId: 9, seqNo: BigInt(100 + i) } }));
      // The chain is written (as one group) beside the paused sync; bounded wait for it.
      for (let i = 0; i < 1000 && tc.writer.position.offset === afterFirst; i++) await settle();
      expect(tc.writer.position.offset).toBeGreaterThan(afterFirst);
      sim.resumeSyncs();
      expect((await first).status).toBe('committed');
      const results = await Promise.all(pending);
      expect(results.every((r) => r.status === 'committed')).toBe(true);
      expect(tc.stats().groups).toBe(2);
      const logged: { xid: bigint; gtid: string; commitId: bigint | undefined }[] = [];
      for await (const t of readBinlogTransactions({ fs: sim, dir: '/db/binlog' })) logged.push({ xid: t.xid, gtid: formatGtid(t.gtid), commitId: t.commitId });
      expect(logged.map((t) => t.gtid)).toEqual(Array.from({ length: n + 1 }, (_, i) => `5-9-${100 + i}`));
      expect(new Set(logged.slice(1).map((t) => t.commitId)).size).toBe(1);
      expect(logged.slice(1)[0]!.commitId).toBe(101n);
      await tc.close();
    });
  });

  it('a killed wait can be retried with its ticket; a failed binlog fsync fails the group and reaches successors as "prior commit failed"', async () => {
    const { sim, tc } = await openTc(1);
    const chain = new CommitOrderChain('d');
    const t1 = chain.issue();
    const t2 = chain.issue();
    const t3 = chain.issue();
    const waiting = tc.logAndOrder({ xid: 2n, branches: [], events: events(2), ticket: t2 });
    await settle();
    expect(t2.kill('conflict')).toBe(true);
    const killed = await waiting;
    expect(killed.status === 'failed' && killed.error).toBeInstanceOf(CommitWaitKilledError);
    sim.pauseSyncs();
    const r1 = tc.logAndOrder({ xid: 1n, branches: [], events: events(1), ticket: t1 });
    while (sim.pausedSyncCount === 0) await settle();
    sim.injectFault({ operations: ['sync'], path: '/db/binlog/binlog.', code: 'EIO' });
    const r3 = tc.logAndOrder({ xid: 3n, branches: [], events: events(3), ticket: t3 });
    const r2 = tc.logAndOrder({ xid: 2n, branches: [], events: events(2), ticket: t2 });
    sim.resumeSyncs();
    const outcomes: BinlogCommitResult[] = await Promise.all([r1, r2, r3]);
    // The paused sync was issued before the fault: t1 commits; the group of t2 and t3 fails at its sync.
    expect(outcomes[0]!.status).toBe('committed');
    expect(outcomes[1]!.status === 'failed' && outcomes[1]!.error).toBeInstanceOf(CommitLogError);
    const third = outcomes[2]!;
    expect(third.status === 'failed' && (third.error instanceof CommitLogError || third.error instanceof PriorCommitFailedError)).toBe(true);
    const later = await tc.logAndOrder({ xid: 9n, branches: [], events: events(9) });
    expect(later.status).toBe('failed');
  });
});
