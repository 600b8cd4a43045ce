import { ManualClock, Random } from '@lockstep/base';
import { forEachSeed } from '@lockstep/base/testing';
import { describe, expect, it } from 'vitest';
import { ParallelApplier } from '../src/index.js';
import { gate, row, settle, txn } from './helpers.js';
import { defaultHistory } from './sim/history.js';
import { MemoryDatabase, type SimEvent } from './sim/memory-database.js';
import { simulate } from './sim/simulate.js';

const rowsOnly = { ...defaultHistory, statementP: 0, ddlP: 0, nonTransactionalP: 0, hotKeys: 3, transactions: 40 };

describe('key-aware scheduling', () => {
  it('with every key known, no transaction is ever killed or retried; pure speculation on the same histories is', async () => {
    let speculativeRetries = 0;
    await forEachSeed(300, async (seed) => {
      const workers = [2, 4, 8, 16][seed % 4]!;
      for (const mode of ['optimistic', 'aggressive', 'conservative'] as const) {
        const aware = await simulate(seed, { mode, workers, keyAware: true, history: rowsOnly });
        expect(aware.problems).toEqual([]);
        const counters = aware.status.at(-1)!.counters;
        expect(counters.kills, mode).toBe(0);
        expect(counters.retried, mode).toBe(0);
        expect(counters.unknownKeys).toBe(0);
        const speculative = await simulate(seed, { mode, workers, keyAware: false, history: rowsOnly });
        expect(speculative.problems).toEqual([]);
        speculativeRetries += speculative.status.at(-1)!.counters.retried;
      }
    });
    expect(speculativeRetries).toBeGreaterThan(100);
  });

  it('waits for the specific earlier writer of its keys, not for everything before it', async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const t3Applied = gate();
    const db = new MemoryDatabase({
      clock,
      random: new Random(5),
      beforeApply: async (work) => {
        log.push(`apply ${work.transaction.gtid.seqNo}`);
        // 2 cannot finish applying until 3 has applied: had 3 waited for 2, this would hang.
        if (work.transaction.gtid.seqNo === 2n) await t3Applied.promise;
      },
    });
    const applier = new ParallelApplier<SimEvent>({ target: db, mode: 'optimistic', workers: 3, clock });
    db.onLockWait = (w, h) => {
      applier.onLockWait(w, h);
    };
    const apply = db.apply.bind(db);
    db.apply = async (work, event) => {
      await apply(work, event);
      if (work.transaction.gtid.seqNo === 3n) t3Applied.open();
    };
    const commit = db.commit.bind(db);
    db.commit = (work, ticket) => {
      log.push(`start commit ${work.transaction.gtid.seqNo}`);
      return commit(work, ticket).then(() => void log.push(`commit ${work.transaction.gtid.seqNo}`));
    };
    const running = applier.run([txn(1n, [row('a')]), txn(2n, [row('b')]), txn(3n, [row('a')])]);
    const outcome = await running;
    expect(outcome.state).toBe('caught-up');
    // 3 waits for 1 (same key) to hold all its locks, i.e. to start committing ...
    expect(log.indexOf('apply 3')).toBeGreaterThan(log.indexOf('start commit 1'));
    // ... and not for 2, which is still applying.
    expect(log.indexOf('apply 3')).toBeLessThan(log.indexOf('start commit 2'));
    const counters = applier.status().counters;
    expect(counters.keyWaits).toBe(1);
    expect(counters.kills).toBe(0);
    expect(db.counters.lockWaits).toBeLessThanOrEqual(1);
    expect(db.rows.get('a')).toBe('0-1-1;0-1-3;');
  });

  it('says which wait a key-dependent transaction is in', async () => {
    const clock = new ManualClock();
    const t1 = gate();
    const db = new MemoryDatabase({
      clock,
      random: new Random(6),
      beforeApply: async (work) => {
        if (work.transaction.gtid.seqNo === 1n) await t1.promise;
      },
    });
    const applier = new ParallelApplier<SimEvent>({ target: db, mode: 'optimistic', workers: 2, clock });
    const running = applier.run([txn(1n, [row('a')]), txn(2n, [row('a')])]);
    await settle(5);
    expect(applier.status().workers.map((w) => [w.gtid, w.state])).toEqual([
      ['0-1-1', 'Applying events'],
      ['0-1-2', 'Waiting for conflicting prior transaction to start commit'],
    ]);
    t1.open();
    expect((await running).state).toBe('caught-up');
  });

  it('treats a transaction with a statement, or too many keys, as unknown and speculates', async () => {
    const db = new MemoryDatabase({ clock: new ManualClock(), random: new Random(8) });
    const applier = new ParallelApplier<SimEvent>({ target: db, mode: 'optimistic', maxWriteSetKeys: 2 });
    db.onLockWait = (w, h) => {
      applier.onLockWait(w, h);
    };
    await applier.run([txn(1n, [row('a')]), txn(2n, [row('a'), { kind: 'statement', keys: ['b'] }]), txn(3n, [row('x'), row('y'), row('a')])]);
    const counters = applier.status().counters;
    expect(counters.unknownKeys).toBe(2);
    expect(db.rows.get('a')).toBe('0-1-1;0-1-2;0-1-3;');
  });

  it('in optimistic mode a waited transaction with a known write set waits only for its conflicting predecessor', async () => {
    const t1 = gate();
    const db = new MemoryDatabase({
      clock: new ManualClock(),
      random: new Random(10),
      beforeApply: async (work) => {
        if (work.transaction.gtid.seqNo === 1n) await t1.promise;
      },
    });
    const applier = new ParallelApplier<SimEvent>({ target: db, mode: 'optimistic', workers: 3 });
    const running = applier.run([txn(1n, [row('a')]), txn(2n, [row('b')], { flags: { waited: true } }), txn(3n, [{ kind: 'statement', keys: ['c'] }], { flags: { waited: true } })]);
    await settle(5);
    // 2's keys are known and touch nothing in flight: it has begun (and waits to commit);
    // 3's keys are unknown, so its waited flag holds it back until 2 commits.
    expect(db.openTransactions).toBe(2);
    expect(db.commitLog).toEqual([]);
    expect(applier.status().counters.keyWaits).toBe(0);
    t1.open();
    expect((await running).state).toBe('caught-up');
  });
});
