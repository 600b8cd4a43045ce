// Strict two-phase locking is serializable: under seeded interleavings, transactions made
// of locking reads, locking range scans (range mode), inserts, updates and deletes are
// replayed one by one in commit order against a Map, and every read each committed
// transaction saw must be what the serial replay reads, and the final state must match.
// Point mode runs without scans (its scans do not lock gaps: not serializable by design).
import { ManualClock, Random } from '@lockstep/base';
import { DeterministicScheduler, forEachSeed, type TaskContext } from '@lockstep/base/testing';
import { describe, expect, it } from 'vitest';
import { DuplicateKeyError, type IsolationLevel, type LockingMode, type TransactionDb } from '../src/index.js';
import { key, keyNumber, num, openSimDb, toNum } from './helpers.js';

/** Seeds per mode; raise with TXN_SERIAL_SEEDS. */
const SEEDS = Number(process.env.TXN_SERIAL_SEEDS ?? 150);
const KEYS = 10;
const WORKERS = 4;
const TXNS_PER_WORKER = 3;
const MAX_RETRIES = 50;

type Step =
  | { readonly op: 'get'; readonly k: number; readonly value: number | undefined }
  | { readonly op: 'scan'; readonly from: number; readonly to: number; readonly rows: readonly (readonly [number, number])[] }
  | { readonly op: 'put'; readonly k: number; readonly value: number }
  | { readonly op: 'delete'; readonly k: number }
  | { readonly op: 'insert'; readonly k: number; readonly value: number; readonly duplicate: boolean };

async function runTransaction(db: TransactionDb, ctx: TaskContext, random: Random, mode: LockingMode, isolation: IsolationLevel, tag: number, history: Step[][]): Promise<void> {
  const plan = Array.from({ length: random.int(2, 5) }, () => ({ kind: random.int(0, mode === 'range' ? 4 : 3), k: random.int(0, KEYS - 1), width: random.int(1, 4), shared: random.bool() }));
  for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
    const t = db.begin({ isolation });
    const steps: Step[] = [];
    let writes = 0;
    try {
      for (const p of plan) {
        const value = tag * 100 + writes;
        if (p.kind === 0) {
          const got = toNum(p.shared ? await t.getForShare(key(p.k)) : await t.getForUpdate(key(p.k)));
          steps.push({ op: 'get', k: p.k, value: got });
        } else if (p.kind === 1) {
          await t.put(key(p.k), num(value));
          writes += 1;
          steps.push({ op: 'put', k: p.k, value });
        } else if (p.kind === 2) {
          await t.delete(key(p.k));
          steps.push({ op: 'delete', k: p.k });
        } else if (p.kind === 3) {
          try {
            await t.statement(() => t.insert(key(p.k), num(value)));
            writes += 1;
            steps.push({ op: 'insert', k: p.k, value, duplicate: false });
          } catch (error) {
            if (!(error instanceof DuplicateKeyError)) throw error;
            steps.push({ op: 'insert', k: p.k, value, duplicate: true });
          }
        } else {
          const rows: [number, number][] = [];
          for await (const row of t.scan(1, { gte: key(p.k), lt: key(p.k + p.width), lock: p.shared ? 'shared' : 'exclusive' })) {
            rows.push([keyNumber(row.key), toNum(row.value)!]);
            await ctx.step('scan row');
          }
          steps.push({ op: 'scan', from: p.k, to: p.k + p.width, rows });
        }
        await ctx.step('op');
      }
      await t.commit();
      history.push(steps); // before any other task runs: commit order
      return;
    } catch (error) {
      await t.rollback();
      if ((error as { errno?: number }).errno !== 1213) throw error;
      await ctx.step('retry');
    }
  }
  throw new Error('transaction gave up');
}

function replay(initial: Map<number, number>, history: Step[][]): Map<number, number> {
  const state = new Map(initial);
  history.forEach((steps, index) => {
    for (const s of steps) {
      const where = `transaction #${index} in commit order, ${JSON.stringify(s)}`;
      if (s.op === 'get') expect(s.value, where).toBe(state.get(s.k));
      else if (s.op === 'scan') {
        const expected = [...state.entries()].filter(([k]) => k >= s.from && k < s.to).sort((a, b) => a[0] - b[0]);
        expect(s.rows, where).toEqual(expected);
      } else if (s.op === 'put') state.set(s.k, s.value);
      else if (s.op === 'delete') state.delete(s.k);
      else {
        expect(s.duplicate, where).toBe(state.has(s.k));
        if (!s.duplicate) state.set(s.k, s.value);
      }
    }
  });
  return state;
}

async function run(mode: LockingMode, isolation: IsolationLevel, seed: number): Promise<void> {
  const clock = new ManualClock();
  const { db, engine } = await openSimDb({ lockingMode: mode, clock, syncCommit: false, lockWaitTimeoutMs: 60_000 }, clock);
  const initial = new Map<number, number>();
  const init = db.begin();
  for (let k = 0; k < KEYS; k += 2) {
    await init.put(key(k), num(k));
    initial.set(k, k);
  }
  await init.commit();
  const history: Step[][] = [];
  const scheduler = new DeterministicScheduler({ seed, clock });
  for (let w = 0; w < WORKERS; w++) {
    const random = new Random(seed * 100 + w);
    scheduler.spawn(`worker${w}`, async (ctx) => {
      for (let i = 0; i < TXNS_PER_WORKER; i++) await runTransaction(db, ctx, random, mode, isolation, (w + 1) * 10 + i, history);
    });
  }
  const result = await scheduler.run();
  expect(result.stalled).toEqual([]);
  for (const outcome of result.outcomes) if (outcome.status === 'rejected') throw outcome.error;
  const expected = replay(initial, history);
  const check = db.begin();
  const actual = new Map<number, number>();
  for await (const row of check.scan(1)) actual.set(keyNumber(row.key), toNum(row.value)!);
  await check.rollback();
  expect(actual).toEqual(expected);
  expect(db.counters.lockWaitTimeouts).toBe(0);
  await engine.close();
}

describe('serializability of locking transactions under seeded interleavings', () => {
  for (const [mode, isolation] of [
    ['range', 'repeatable-read'],
    ['range', 'read-committed'],
    ['point', 'repeatable-read'],
    ['point', 'read-committed'],
  ] as const) {
    it(`${mode} locking, ${isolation}: every committed read matches a serial replay in commit order (${SEEDS} seeds)`, async () => {
      await forEachSeed(SEEDS, (seed) => run(mode, isolation, seed));
    });
  }
});
