// Bank transfers under seeded interleavings (DeterministicScheduler), both locking modes, on
// the real kv engine over the simulated file system (commits without fsync: the engine
// groups synced commits on setImmediate, which the scheduler cannot order). Checks: the total never changes (in
// every snapshot an auditor reads, and at the end), no balance goes negative, no lost
// update (final balances equal the committed transfers replayed), no stall, no lock wait
// ended by a timeout, no lock or transaction left behind.
import { ManualClock, Random } from '@lockstep/base';
import { DeterministicScheduler, forEachSeed, type TaskContext } from '@lockstep/base/testing';
import { describe, expect, it } from 'vitest';
import type { LockingMode, Transaction, TransactionDb } from '../src/index.js';
import { key, keyNumber, num, openSimDb, toNum } from './helpers.js';

/** Seeds per mode; raise with TXN_BANK_SEEDS for a longer run. */
const SEEDS = Number(process.env.TXN_BANK_SEEDS ?? 250);
const ACCOUNTS = 5;
const INITIAL = 100;
const WORKERS = 4;
const TRANSFERS_PER_WORKER = 4;
/** Bound on retries of one transfer (deadlocks, write conflicts). */
const MAX_RETRIES = 50;

interface Transfer {
  readonly from: number;
  readonly to: number;
  readonly amount: number;
}

function retryable(error: unknown): boolean {
  const errno = (error as { errno?: number }).errno;
  return errno === 1213;
}

async function transfer(db: TransactionDb, ctx: TaskContext, random: Random, move: Transfer, committed: Transfer[]): Promise<number> {
  for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
    const t: Transaction = db.begin({ isolation: random.bool(0.8) ? 'repeatable-read' : 'read-committed' });
    try {
      if (random.bool(0.5)) {
        t.get(key(move.from)); // takes the snapshot early: point mode must then catch concurrent changes
        await ctx.step('snapshot');
      }
      const a = toNum(await t.getForUpdate(key(move.from)))!;
      await ctx.step('read from');
      const b = toNum(await t.getForUpdate(key(move.to)))!;
      await ctx.step('read to');
      if (a < move.amount) {
        await t.rollback();
        return attempt;
      }
      await t.put(key(move.from), num(a - move.amount));
      await ctx.step('debit');
      await t.put(key(move.to), num(b + move.amount));
      await ctx.step('credit');
      await t.commit();
      committed.push(move);
      return attempt;
    } catch (error) {
      await t.rollback();
      if (!retryable(error)) throw error;
      await ctx.step('retry');
    }
  }
  throw new Error(`transfer ${JSON.stringify(move)} gave up after ${MAX_RETRIES} attempts`);
}

async function audit(db: TransactionDb, ctx: TaskContext, locking: boolean): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const t = db.begin();
    try {
      let total = 0;
      for await (const row of t.scan(1, locking ? { lock: 'shared' } : {})) {
        const balance = toNum(row.value)!;
        if (balance < 0) throw new Error(`account ${keyNumber(row.key)} is negative: ${balance}`);
        total += balance;
        await ctx.step('audit row');
      }
      if (total !== ACCOUNTS * INITIAL) throw new Error(`auditor (${locking ? 'locking' : 'snapshot'}) saw a total of ${total}`);
      await t.commit();
    } catch (error) {
      await t.rollback();
      if (!retryable(error)) throw error;
    }
    await ctx.step('audit round');
  }
}

async function runBank(mode: LockingMode, seed: number): Promise<{ retries: number; waits: number }> {
  const clock = new ManualClock();
  const { db, engine } = await openSimDb({ lockingMode: mode, clock, lockWaitTimeoutMs: 60_000, syncCommit: false }, clock);
  const init = db.begin();
  for (let i = 0; i < ACCOUNTS; i++) await init.put(key(i), num(INITIAL));
  await init.commit();
  const scheduler = new DeterministicScheduler({ seed, clock });
  const committed: Transfer[] = [];
  let retries = 0;
  for (let w = 0; w < WORKERS; w++) {
    const random = new Random(seed * 1000 + w);
    scheduler.spawn(`worker${w}`, async (ctx) => {
      for (let i = 0; i < TRANSFERS_PER_WORKER; i++) {
        const from = random.int(0, ACCOUNTS - 1);
        const to = (from + random.int(1, ACCOUNTS - 1)) % ACCOUNTS;
        retries += await transfer(db, ctx, random, { from, to, amount: random.int(1, 60) }, committed);
      }
    });
  }
  scheduler.spawn('snapshot auditor', (ctx) => audit(db, ctx, false));
  if (mode === 'range') scheduler.spawn('locking auditor', (ctx) => audit(db, ctx, true));
  const result = await scheduler.run();
  expect(result.stalled).toEqual([]);
  for (const outcome of result.outcomes) if (outcome.status === 'rejected') throw outcome.error;

  const expected = Array.from({ length: ACCOUNTS }, () => INITIAL);
  for (const m of committed) {
    expected[m.from]! -= m.amount;
    expected[m.to]! += m.amount;
  }
  const check = db.begin();
  const actual: number[] = [];
  for await (const row of check.scan(1)) actual.push(toNum(row.value)!);
  await check.rollback();
  expect(actual).toEqual(expected); // no lost update, total constant
  expect(actual.every((b) => b >= 0)).toBe(true);
  expect(db.counters.lockWaitTimeouts).toBe(0);
  expect(db.transactions()).toEqual([]);
  expect(db.lockManager.status().heldLocks).toBe(0);
  db.lockManager.assertNoGrantablePending();
  await engine.close();
  return { retries, waits: db.counters.lockWaits };
}

describe('bank transfers under seeded interleavings', () => {
  for (const mode of ['point', 'range'] as const) {
    it(`${mode} locking: total constant, no lost update, no negative balance, no stall (${SEEDS} seeds)`, async () => {
      let waits = 0;
      let retries = 0;
      await forEachSeed(SEEDS, async (seed) => {
        const r = await runBank(mode, seed);
        waits += r.waits;
        retries += r.retries;
      });
      // The runs really interleave: transactions waited for each other (and, in point mode, conflicted).
      expect(waits).toBeGreaterThan(SEEDS);
      if (mode === 'point') expect(retries).toBeGreaterThan(0);
    });
  }
});
