import { ManualClock, Random } from '@lockstep/base';
import { describe, expect, it } from 'vitest';
import { ParallelApplier, RetriesExhaustedError, type ReplicatedTransaction, type WorkerTransaction } from '../src/index.js';
import { MemoryDatabase, type SimEvent } from './sim/memory-database.js';

function txn(seqNo: bigint, events: SimEvent[], commitId?: bigint): ReplicatedTransaction<SimEvent> {
  return {
    gtid: { domainId: 0, serverId: 1, seqNo },
    commitId,
    flags: { standalone: false, transactional: true, allowParallel: true, waited: false, ddl: false },
    events,
    timestampMs: Date.UTC(2026, 0, 1),
    byteSize: 100,
  };
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const isFirstAttemptOf = (work: WorkerTransaction<SimEvent>, seqNo: bigint): boolean => work.transaction.gtid.seqNo === seqNo && work.attempt === 0;

describe('the two stories behind this project', () => {
  it('transactions that shared a commit group on the primary still conflict on the replica: conservative mode resolves it by kill and retry, without a timeout', async () => {
    const clock = new ManualClock();
    // T2 has locked row k and is still applying when T1 asks for k.
    const t2HoldsK = gate();
    const t1Waits = gate();
    const db = new MemoryDatabase({
      clock,
      random: new Random(1),
      beforeApply: async (work, event) => {
        if (isFirstAttemptOf(work, 1n)) await t2HoldsK.promise;
        if (isFirstAttemptOf(work, 2n) && event.kind === 'row' && event.key === 'j') await t1Waits.promise;
      },
    });
    const applier = new ParallelApplier<SimEvent>({ target: db, mode: 'conservative', workers: 2, keyAware: false, clock });
    db.onLockWait = (waiter, holders) => {
      applier.onLockWait(waiter, holders);
      t1Waits.open();
    };
    const originalApply = db.apply.bind(db);
    db.apply = async (work, event) => {
      await originalApply(work, event);
      if (isFirstAttemptOf(work, 2n) && event.kind === 'row' && event.key === 'k') t2HoldsK.open();
    };
    const history = [txn(1n, [{ kind: 'row', key: 'k' }], 7n), txn(2n, [{ kind: 'row', key: 'k' }, { kind: 'row', key: 'j' }], 7n)];
    const outcome = await applier.run(history);
    expect(outcome.state).toBe('caught-up');
    expect(db.rows.get('k')).toBe('0-1-1;0-1-2;');
    expect(db.rows.get('j')).toBe('0-1-2;');
    expect(db.commitLog).toEqual(['0-1-1', '0-1-2']);
    const { counters } = applier.status();
    expect(counters.conflicts).toBe(1);
    expect(counters.kills).toBe(1);
    expect(counters.retried).toBe(1);
    // No lock wait ended by timeout, and the clock never had to move.
    expect(db.counters.timeouts).toBe(0);
    expect(clock.now()).toBe(0);
  });

  it('an earlier transaction waiting on a lock held by a later one that waits to commit (a cycle no deadlock detector sees) is resolved at once by killing the later one', async () => {
    const clock = new ManualClock();
    const t2Parked = gate();
    const db = new MemoryDatabase({
      clock,
      random: new Random(2),
      beforeApply: async (work, event) => {
        if (isFirstAttemptOf(work, 1n) && event.kind === 'row' && event.key === 'k') await t2Parked.promise;
      },
    });
    const applier = new ParallelApplier<SimEvent>({ target: db, mode: 'optimistic', workers: 2, clock });
    db.onLockWait = (waiter, holders) => {
      applier.onLockWait(waiter, holders);
    };
    const originalCommit = db.commit.bind(db);
    db.commit = (work, ticket) => {
      const committing = originalCommit(work, ticket);
      if (isFirstAttemptOf(work, 2n)) {
        // The ticket was handed over synchronously: T2 now waits for T1's commit, holding k.
        expect(ticket.state).toBe('parked');
        t2Parked.open();
      }
      return committing;
    };
    // T2 is a statement: the scheduler cannot see its keys, so it speculates.
    const history = [txn(1n, [{ kind: 'row', key: 'a' }, { kind: 'row', key: 'k' }]), txn(2n, [{ kind: 'statement', keys: ['k'] }])];
    const startedMs = performance.now();
    const outcome = await applier.run(history);
    const elapsedMs = performance.now() - startedMs;
    expect(outcome.state).toBe('caught-up');
    expect(db.rows.get('k')).toBe('0-1-1;0-1-2;');
    expect(db.commitLog).toEqual(['0-1-1', '0-1-2']);
    expect(applier.status().counters.kills).toBe(1);
    expect(db.counters.timeouts).toBe(0);
    expect(clock.now()).toBe(0);
    expect(elapsedMs).toBeLessThan(1000);
  });

  it('control: without lock-wait reports the same cycle only ends by lock-wait timeouts, and gives up after the retry limit', async () => {
    const clock = new ManualClock();
    const t2Parked = gate();
    const db = new MemoryDatabase({
      clock,
      random: new Random(3),
      lockWaitTimeoutMs: 50_000,
      beforeApply: async (work, event) => {
        if (isFirstAttemptOf(work, 1n) && event.kind === 'row' && event.key === 'k') await t2Parked.promise;
      },
    });
    const applier = new ParallelApplier<SimEvent>({ target: db, mode: 'optimistic', workers: 2, clock, retryLimit: 2 });
    const originalCommit = db.commit.bind(db);
    db.commit = (work, ticket) => {
      const committing = originalCommit(work, ticket);
      if (isFirstAttemptOf(work, 2n)) t2Parked.open();
      return committing;
    };
    const running = applier.run([txn(1n, [{ kind: 'row', key: 'a' }, { kind: 'row', key: 'k' }]), txn(2n, [{ kind: 'statement', keys: ['k'] }])]);
    let outcome: Awaited<typeof running> | undefined;
    void running.then((o) => (outcome = o));
    for (let i = 0; i < 50 && outcome === undefined; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      clock.advanceToNextTimer();
    }
    expect(outcome?.state).toBe('failed');
    expect(outcome?.error).toBeInstanceOf(RetriesExhaustedError);
    expect(outcome?.error?.message).toContain('0-1-1');
    expect(db.counters.timeouts).toBe(3);
    expect(db.commitLog).toEqual([]);
    expect(db.openTransactions).toBe(0);
  });
});
