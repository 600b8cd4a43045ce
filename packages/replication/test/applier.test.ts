import { ManualClock, Random } from '@lockstep/base';
import { PriorCommitFailedError } from '@lockstep/tc';
import { describe, expect, it } from 'vitest';
import { ApplierConfigError, ParallelApplier, ReplicaApplyError, type ParallelMode, type WorkerTransaction } from '../src/index.js';
import { gate, row, settle, txn } from './helpers.js';
import { MemoryDatabase, SimApplyError, type SimEvent } from './sim/memory-database.js';

function setup(mode: ParallelMode, options: { workers?: number; keyAware?: boolean; beforeApply?: MemoryDatabase['apply']; maxQueuedBytes?: number; retryLimit?: number } = {}) {
  const clock = new ManualClock();
  const log: string[] = [];
  const db = new MemoryDatabase({
    clock,
    random: new Random(7),
    beforeApply: async (work, event) => {
      log.push(`apply ${work.transaction.gtid.seqNo}`);
      await options.beforeApply?.(work, event);
    },
  });
  const applier = new ParallelApplier<SimEvent>({
    target: db,
    mode,
    workers: options.workers ?? 4,
    keyAware: options.keyAware ?? true,
    clock,
    ...(options.maxQueuedBytes === undefined ? {} : { maxQueuedBytes: options.maxQueuedBytes }),
    ...(options.retryLimit === undefined ? {} : { retryLimit: options.retryLimit }),
  });
  db.onLockWait = (w, h) => {
    applier.onLockWait(w, h);
  };
  const commit = db.commit.bind(db);
  db.commit = (work, ticket) =>
    commit(work, ticket).then(() => {
      log.push(`commit ${work.transaction.gtid.seqNo}`);
    });
  return { clock, db, applier, log };
}

describe('ParallelApplier', () => {
  it('rejects bad options with ApplierConfigError', () => {
    const db = new MemoryDatabase({ clock: new ManualClock(), random: new Random(1) });
    expect(() => new ParallelApplier({ target: db, workers: 0 })).toThrow(ApplierConfigError);
    expect(() => new ParallelApplier({ target: db, retryLimit: -1 })).toThrow(ApplierConfigError);
    expect(() => new ParallelApplier({ target: db, mode: 'fast' as ParallelMode })).toThrow(ApplierConfigError);
    expect(() => new ParallelApplier({ target: db, maxQueuedBytes: 1.5 })).toThrow(ApplierConfigError);
  });

  it('mode none applies one transaction at a time, across domains', async () => {
    const { applier, log } = setup('none', { workers: 8 });
    const outcome = await applier.run([txn(1n, [row('a')]), txn(1n, [row('b')], { domainId: 1 }), txn(2n, [row('c')])]);
    expect(outcome.state).toBe('caught-up');
    expect(log).toEqual(['apply 1', 'commit 1', 'apply 1', 'commit 1', 'apply 2', 'commit 2']);
    expect(applier.status().workers).toHaveLength(1);
    expect(outcome.position.map((g) => `${g.domainId}-${g.seqNo}`)).toEqual(['0-2', '1-1']);
  });

  it('conservative mode starts a batch only after every member of the previous batch started to commit', async () => {
    const t2 = gate();
    const { applier, log } = setup('conservative', {
      keyAware: false,
      beforeApply: async (work) => {
        if (work.transaction.gtid.seqNo === 2n) await t2.promise;
      },
    });
    const running = applier.run([txn(1n, [row('a')], { commitId: 5n }), txn(2n, [row('b')], { commitId: 5n }), txn(3n, [row('c')], { commitId: 6n })]);
    await settle(5);
    // 1 and 2 share a batch and both started; 3 (next batch) waits for 2 to start committing.
    expect(log.filter((l) => l.startsWith('apply'))).toEqual(['apply 1', 'apply 2']);
    expect(applier.status().workers.find((w) => w.gtid === '0-1-3')?.state).toBe('Waiting for prior transaction to start commit before starting next transaction');
    t2.open();
    expect((await running).state).toBe('caught-up');
    expect(log.indexOf('apply 3')).toBeGreaterThan(log.indexOf('apply 2'));
  });

  it('optimistic mode runs DDL and a waited transaction only after the previous one committed; aggressive ignores waited', async () => {
    for (const mode of ['optimistic', 'aggressive'] as const) {
      const { applier, log } = setup(mode, { keyAware: false });
      const history = [
        txn(1n, [row('a')]),
        txn(2n, [row('b')], { flags: { waited: true } }),
        txn(3n, [{ kind: 'ddl', table: 't' }], { flags: { ddl: true, standalone: true } }),
        txn(4n, [row('c')]),
      ];
      expect((await applier.run(history)).state).toBe('caught-up');
      const waitedAfterCommit = log.indexOf('apply 2') > log.indexOf('commit 1');
      expect(waitedAfterCommit).toBe(mode === 'optimistic');
      expect(log.indexOf('apply 3')).toBeGreaterThan(log.indexOf('commit 2'));
      expect(log.indexOf('apply 4')).toBeGreaterThan(log.indexOf('commit 3'));
    }
  });

  it('a non-temporary error stops the domain just before the failing GTID; later transactions roll back', async () => {
    const { applier, db } = setup('optimistic', {
      keyAware: false,
      beforeApply: (work) => (work.transaction.gtid.seqNo === 2n ? Promise.reject(new SimApplyError('DUP', 'duplicate key', 1062, false)) : Promise.resolve()),
    });
    const outcome = await applier.run([txn(1n, [row('a')]), txn(2n, [row('b')]), txn(3n, [row('c')]), txn(4n, [row('d')])]);
    expect(outcome.state).toBe('failed');
    expect(outcome.error).toBeInstanceOf(ReplicaApplyError);
    expect((outcome.error as ReplicaApplyError).gtid).toBe('0-1-2');
    expect((outcome.error as ReplicaApplyError).errno).toBe(1062);
    expect(db.commitLog).toEqual(['0-1-1']);
    expect(outcome.position.map((g) => g.seqNo)).toEqual([1n]);
    expect(db.openTransactions).toBe(0);
    expect(db.heldLocks).toBe(0);
  });

  it('an error of an attempt that ran before its predecessor committed is retried once the predecessor has committed; the same error from the oldest stops the domain', async () => {
    // 0-1-2 fails its first attempt (speculative: 0-1-1 had not committed); its retry runs
    // as the oldest and succeeds. 0-1-4 fails every attempt: its retry (as the oldest) stops the domain.
    const t1 = gate();
    const { applier, db } = setup('aggressive', {
      keyAware: false,
      beforeApply: async (work) => {
        const seqNo = work.transaction.gtid.seqNo;
        if (seqNo === 1n) await t1.promise;
        if (seqNo === 2n && work.attempt === 0) {
          t1.open();
          throw new SimApplyError('MISSING', 'before image not found', 1032, false);
        }
        if (seqNo === 4n) throw new SimApplyError('MISSING', 'before image not found', 1032, false);
      },
    });
    const outcome = await applier.run([txn(1n, [row('a')]), txn(2n, [row('b')]), txn(3n, [row('c')]), txn(4n, [row('d')])]);
    expect(outcome.state).toBe('failed');
    expect((outcome.error as ReplicaApplyError).gtid).toBe('0-1-4');
    expect(db.commitLog).toEqual(['0-1-1', '0-1-2', '0-1-3']);
    const { counters } = applier.status();
    expect(counters.speculativeErrors).toBeGreaterThanOrEqual(1);
    expect(counters.temporaryErrors).toBe(0);
  });

  it('later transactions parked in their commit wait fail with prior-commit-failed when an earlier one fails', async () => {
    const t1 = gate();
    const { applier, db } = setup('aggressive', {
      keyAware: false,
      beforeApply: async (work) => {
        if (work.transaction.gtid.seqNo === 1n) {
          await t1.promise;
          throw new SimApplyError('BAD', 'bad row', 1032, false);
        }
      },
    });
    const seen: unknown[] = [];
    const commit = db.commit.bind(db);
    db.commit = (work, ticket) => commit(work, ticket).catch((error: unknown) => { seen.push(error); throw error; });
    const running = applier.run([txn(1n, [row('a')]), txn(2n, [row('b')]), txn(3n, [row('c')])]);
    await settle(5);
    expect(applier.status().workers.filter((w) => w.state === 'Waiting for prior transaction to commit').map((w) => w.gtid).sort()).toEqual(['0-1-2', '0-1-3']);
    t1.open();
    const outcome = await running;
    expect(outcome.state).toBe('failed');
    expect(db.commitLog).toEqual([]);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((e) => e instanceof PriorCommitFailedError)).toBe(true);
  });

  it('gives up after the retry limit with an error naming the GTID', async () => {
    const { applier, db } = setup('optimistic', {
      retryLimit: 3,
      beforeApply: (work) => (work.transaction.gtid.seqNo === 1n ? Promise.reject(new SimApplyError('DEADLOCK', 'deadlock', 1213, true)) : Promise.resolve()),
    });
    const outcome = await applier.run([txn(1n, [row('a')]), txn(2n, [row('b')])]);
    expect(outcome.state).toBe('failed');
    expect(outcome.error?.message).toContain('0-1-1');
    expect(outcome.error?.message).toContain('3 time(s)');
    expect(applier.status().counters.retried).toBe(3);
    expect(db.commitLog).toEqual([]);
  });

  it('the reader waits for room in a full worker queue, and says so', async () => {
    const t1 = gate();
    const { applier } = setup('optimistic', {
      workers: 1,
      maxQueuedBytes: 250,
      beforeApply: async (work) => {
        if (work.transaction.gtid.seqNo === 1n) await t1.promise;
      },
    });
    const running = applier.run([1n, 2n, 3n, 4n].map((n) => txn(n, [row(`k${n}`)])));
    await settle(5);
    const status = applier.status();
    expect(status.reader).toBe('Waiting for room in worker thread event queue');
    expect(status.workers[0]!.queuedBytes).toBeLessThanOrEqual(250);
    expect(status.workers[0]!.state).toBe('Applying events');
    expect(status.workers[0]!.gtid).toBe('0-1-1');
    t1.open();
    expect((await running).state).toBe('caught-up');
  });

  it('stop lets dispatched work commit, and after its bound kills what is left', async () => {
    const t2 = gate();
    const { applier, db, clock } = setup('optimistic', {
      beforeApply: async (work) => {
        if (work.transaction.gtid.seqNo === 2n) await t2.promise;
      },
    });
    async function* source() {
      yield txn(1n, [row('a')]);
      yield txn(2n, [row('b')]);
      yield txn(3n, [row('c')]);
      await new Promise<void>(() => undefined); // the primary sends nothing more
    }
    const running = applier.run(source());
    await settle(5);
    expect(applier.status().reader).toBe('Waiting for master to send event');
    const stopping = applier.stop({ timeoutMs: 5_000 });
    await settle(5);
    expect(db.commitLog).toEqual(['0-1-1']);
    // The bound passes: everything uncommitted is killed (3, parked in its commit wait, at
    // once; 2 as soon as its statement returns).
    clock.advance(5_000);
    t2.open();
    const outcome = await stopping;
    expect(outcome.state).toBe('stopped');
    expect(await running).toEqual(outcome);
    expect(db.commitLog).toEqual(['0-1-1']);
    expect(db.openTransactions).toBe(0);
    expect(applier.status().workers.every((w) => w.state === 'Stopped')).toBe(true);
  });

  it('skips transactions at or before the start position and reports lag from primary timestamps', async () => {
    const t3 = gate();
    const clock = new ManualClock({ wallStartMs: Date.UTC(2026, 0, 1) + 60_000 });
    const db = new MemoryDatabase({
      clock,
      random: new Random(3),
      beforeApply: async (work) => {
        if (work.transaction.gtid.seqNo === 3n) await t3.promise;
      },
    });
    const applier = new ParallelApplier<SimEvent>({ target: db, clock, startPosition: [{ domainId: 0, serverId: 1, seqNo: 2n }] });
    const running = applier.run([1n, 2n, 3n].map((n) => txn(n, [row(`k${n}`)])));
    await settle(5);
    expect(applier.status().lagMs).toBe(60_000);
    t3.open();
    const outcome = await running;
    expect(db.commitLog).toEqual(['0-1-3']);
    expect(applier.status().counters.skipped).toBe(2);
    expect(applier.status().lagMs).toBe(0);
    expect(outcome.position[0]!.seqNo).toBe(3n);
  });
});

describe('ParallelApplier.onLockWait', () => {
  it('ignores reports about attempts it did not start, stale attempts, and holders that are earlier or in another domain', async () => {
    const t2 = gate();
    const { applier, db } = setup('aggressive', {
      keyAware: false,
      beforeApply: async (work) => {
        if (work.transaction.gtid.seqNo === 2n && work.transaction.gtid.domainId === 0) await t2.promise;
      },
    });
    const seen: WorkerTransaction<SimEvent>[] = [];
    const begin = db.begin.bind(db);
    db.begin = (work) => {
      seen.push(work);
      return begin(work);
    };
    const running = applier.run([txn(1n, [row('a')]), txn(2n, [row('b')]), txn(1n, [row('c')], { domainId: 1 })]);
    await settle(5);
    const d0t2 = seen.find((w) => w.transaction.gtid.seqNo === 2n && w.transaction.gtid.domainId === 0)!;
    const d1t1 = seen.find((w) => w.transaction.gtid.domainId === 1)!;
    const foreign = { id: -1, transaction: d0t2.transaction, attempt: 0, workerId: 0, killed: false };
    applier.onLockWait(foreign, [d0t2]); // not ours
    applier.onLockWait(d1t1, [d0t2]); // another domain
    applier.onLockWait(d0t2, [foreign]); // holder not ours
    expect(applier.status().counters.kills).toBe(0);
    expect(d0t2.killed).toBe(false);
    t2.open();
    expect((await running).state).toBe('caught-up');
    expect(applier.status().counters.lockWaits).toBe(3);
  });
});

describe('worker assignment', () => {
  it('a domain uses at most domainWorkerCap workers, and domains spread over the pool', async () => {
    const db = new MemoryDatabase({ clock: new ManualClock(), random: new Random(9) });
    const used = new Map<number, Set<number>>();
    const begin = db.begin.bind(db);
    db.begin = (work) => {
      const domain = work.transaction.gtid.domainId;
      if (!used.has(domain)) used.set(domain, new Set());
      used.get(domain)!.add(work.workerId);
      return begin(work);
    };
    const applier = new ParallelApplier<SimEvent>({ target: db, workers: 4, domainWorkerCap: 2 });
    const history = Array.from({ length: 12 }, (_, i) => txn(BigInt(Math.floor(i / 2) + 1), [row(`k${i}`)], { domainId: i % 2 }));
    expect((await applier.run(history)).state).toBe('caught-up');
    expect([...used.get(0)!].sort()).toEqual([1, 2]);
    expect([...used.get(1)!].sort()).toEqual([3, 4]);
  });
});

describe('commitOverlap', () => {
  it('lets a worker start its next transaction while the previous one waits to commit, bounded per worker', async () => {
    let t1 = gate();
    const db = new MemoryDatabase({
      clock: new ManualClock(),
      random: new Random(11),
      beforeApply: async (work) => {
        if (work.transaction.gtid.seqNo === 1n) await t1.promise;
      },
    });
    const history = [1n, 2n, 3n, 4n, 5n, 6n, 7n].map((n) => txn(n, [row(`k${n}`)]));
    for (const [commitOverlap, begun] of [
      [0, 2],
      [1, 3],
      [2, 4],
    ] as const) {
      t1 = gate();
      const applier = new ParallelApplier<SimEvent>({ target: db, mode: 'optimistic', workers: 2, commitOverlap });
      const running = applier.run(history.map((t) => ({ ...t, gtid: { ...t.gtid, domainId: commitOverlap } })));
      await settle(8);
      // Worker 1 is stuck applying 1; worker 2 took 2, then (with overlap) 4 and 6, each
      // left waiting to commit behind 1.
      expect(db.openTransactions, `commitOverlap ${commitOverlap}`).toBe(begun);
      t1.open();
      expect((await running).state).toBe('caught-up');
    }
  });
});
