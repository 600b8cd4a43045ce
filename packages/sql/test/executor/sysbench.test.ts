// sysbench's OLTP statement set (prepare, oltp_read_write, oltp_write_only, cleanup) through
// 16 sessions under seeded interleavings, in both locking modes. Checks: no errors other than
// the deadlock / lock-wait errors sysbench itself retries; the binlog (decoded) replays on a
// model with every before image equal to the model's row (no lost update, writes serialized
// per row in commit order); the model equals the table; redo of the binlog gives equal tables.
import { describe, expect, it } from 'vitest';
import { ManualClock, Random } from '@lockstep/base';
import { DeterministicScheduler, forEachSeed, type TaskContext } from '@lockstep/base/testing';
import type { LockingMode } from '@lockstep/txn';
import type { Session, SqlValue } from '../../src/index.js';
import { openTestEngine, rowsOf, type TestEngine } from './harness.js';

const SEEDS = Number(process.env.LOCKSTEP_SQL_SYSBENCH_SEEDS ?? 2);
const THREADS = 16;
const TABLE_SIZE = 64;
const TRANSACTIONS_PER_THREAD = 3;
const RANGE = 8;
/** Bound on retries of one sysbench transaction (deadlocks are retried as sysbench does). */
const MAX_RETRIES = 50;

const CREATE = "CREATE TABLE sbtest1(\n  id INTEGER NOT NULL AUTO_INCREMENT,\n  k INTEGER DEFAULT '0' NOT NULL,\n  c CHAR(120) DEFAULT '' NOT NULL,\n  pad CHAR(60) DEFAULT '' NOT NULL,\n  PRIMARY KEY (id)\n) /*! ENGINE = innodb */";

function randomString(random: Random, groups: number): string {
  const parts: string[] = [];
  for (let g = 0; g < groups; g++) parts.push(String(random.int(0, 99_999_999_999)).padStart(11, '0'));
  return parts.join('-');
}

interface Prepared {
  point: number;
  simpleRange: number;
  sumRange: number;
  orderRange: number;
  distinctRange: number;
  indexUpdate: number;
  nonIndexUpdate: number;
  del: number;
  insert: number;
}

function prepareAll(s: Session): Prepared {
  const p = (sql: string): number => s.prepare(sql).statementId;
  return {
    point: p('SELECT c FROM sbtest1 WHERE id=?'),
    simpleRange: p('SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ?'),
    sumRange: p('SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN ? AND ?'),
    orderRange: p('SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c'),
    distinctRange: p('SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c'),
    indexUpdate: p('UPDATE sbtest1 SET k=k+1 WHERE id=?'),
    nonIndexUpdate: p('UPDATE sbtest1 SET c=? WHERE id=?'),
    del: p('DELETE FROM sbtest1 WHERE id=?'),
    insert: p('INSERT INTO sbtest1 (id, k, c, pad) VALUES (?, ?, ?, ?)'),
  };
}

async function oltpTransaction(s: Session, p: Prepared, random: Random, ctx: TaskContext, readOnlyPart: boolean): Promise<void> {
  const id = (): number => random.int(1, TABLE_SIZE);
  await s.execute('BEGIN');
  if (readOnlyPart) {
    for (let i = 0; i < 4; i++) {
      await s.executePrepared(p.point, [id()]);
      await ctx.step('point');
    }
    for (const stmt of [p.simpleRange, p.sumRange, p.orderRange, p.distinctRange]) {
      const start = id();
      await s.executePrepared(stmt, [start, start + RANGE - 1]);
      await ctx.step('range');
    }
  }
  await s.executePrepared(p.indexUpdate, [id()]);
  await ctx.step('index update');
  await s.executePrepared(p.nonIndexUpdate, [randomString(random, 10), id()]);
  await ctx.step('non-index update');
  const victim = id();
  await s.executePrepared(p.del, [victim]);
  await ctx.step('delete');
  await s.executePrepared(p.insert, [victim, random.int(1, TABLE_SIZE), randomString(random, 10), randomString(random, 5)]);
  await ctx.step('insert');
  await s.execute('COMMIT');
}

const RETRYABLE = new Set([1213, 1205]);

type Row = readonly SqlValue[];
const text = (v: unknown): string => (v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v));

/** Replays the decoded binlog on a model, requiring every before image to be the model's current row. */
function replayOnModel(te: TestEngine, initial: Map<number, Row>, from: number): Map<number, Row> {
  const model = new Map(initial);
  const norm = (r: readonly unknown[]): Row => r.map((v) => (v instanceof Uint8Array ? text(v) : (v as SqlValue)));
  for (const tx of te.committer.log.slice(from)) {
    if (tx.ddl) continue;
    for (const e of tx.events) {
      if (e.kind === 'writeRows') {
        for (const r of e.rows) {
          const row = norm(r);
          expect(model.has(row[0] as number)).toBe(false);
          model.set(row[0] as number, row);
        }
      } else if (e.kind === 'deleteRows') {
        for (const r of e.rows) {
          const row = norm(r);
          expect(model.get(row[0] as number)).toEqual(row);
          model.delete(row[0] as number);
        }
      } else if (e.kind === 'updateRows') {
        for (const r of e.rows) {
          const before = norm(r.before);
          expect(model.get(before[0] as number)).toEqual(before); // a lost update would show a stale before image
          const after = norm(r.after);
          model.delete(before[0] as number);
          model.set(after[0] as number, after);
        }
      }
    }
  }
  return model;
}

async function runSysbench(mode: LockingMode, seed: number): Promise<{ retries: number; waits: number }> {
  const clock = new ManualClock();
  const te = await openTestEngine({ lockingMode: mode, clock });
  const admin = te.engine.session({ connectionId: 1000, user: 'sbtest', host: 'localhost' });
  // prepare
  await admin.execute('CREATE DATABASE sbtest');
  await admin.execute('USE sbtest');
  await admin.execute(CREATE);
  const random = new Random(seed);
  const values: string[] = [];
  for (let i = 1; i <= TABLE_SIZE; i++) values.push(`(${random.int(1, TABLE_SIZE)}, '${randomString(random, 10)}', '${randomString(random, 5)}')`);
  await admin.execute(`INSERT INTO sbtest1(k, c, pad) VALUES${values.join(',')}`);
  await admin.execute('CREATE INDEX k_1 ON sbtest1(k)');
  const initial = new Map<number, Row>();
  for (const r of rowsOf(await admin.execute('SELECT id, k, c, pad FROM sbtest1'))) initial.set(r[0] as number, r);
  const logStart = te.committer.log.length;

  const scheduler = new DeterministicScheduler({ seed, clock });
  let retries = 0;
  for (let w = 0; w < THREADS; w++) {
    const r = new Random(seed * 1000 + w);
    scheduler.spawn(`thread${w}`, async (ctx) => {
      const s = te.engine.session({ connectionId: w + 1, user: 'sbtest', host: 'localhost', database: 'sbtest' });
      const p = prepareAll(s);
      for (let i = 0; i < TRANSACTIONS_PER_THREAD; i++) {
        for (let attempt = 0; ; attempt++) {
          if (attempt >= MAX_RETRIES) throw new Error(`thread ${w} gave up after ${MAX_RETRIES} retries`);
          try {
            await oltpTransaction(s, p, r, ctx, w % 2 === 0); // odd threads run oltp_write_only
            break;
          } catch (error) {
            const errno = (error as { errno?: number }).errno;
            if (errno === undefined || !RETRYABLE.has(errno)) throw error;
            retries++;
            await s.execute('ROLLBACK');
            await ctx.step('retry');
          }
        }
      }
      await s.close();
    });
  }
  const result = await scheduler.run();
  if (result.stalled.length > 0) throw new Error(`seed ${seed}: stalled ${result.stalled.join(', ')}`);
  for (const o of result.outcomes) if (o.status === 'rejected') throw o.error;

  const rows = rowsOf(await admin.execute('SELECT id, k, c, pad FROM sbtest1 ORDER BY id'));
  const model = replayOnModel(te, initial, logStart);
  expect(rows).toEqual([...model.keys()].sort((a, b) => a - b).map((id) => model.get(id)));
  const sumK = rows.reduce((n, r) => n + BigInt(r[1] as number), 0n);
  expect(rowsOf(await admin.execute('SELECT SUM(k), COUNT(*) FROM sbtest1'))).toEqual([[sumK, BigInt(rows.length)]]);
  // The secondary index agrees with the rows.
  expect(rowsOf(await admin.execute('SELECT id FROM sbtest1 WHERE k BETWEEN 0 AND 1000000 ORDER BY id'))).toEqual(rows.map((r) => [r[0]]));
  expect(te.committer.log.length).toBeGreaterThan(logStart);
  // Redo of the whole binlog into a fresh engine gives the same table.
  const replica = await openTestEngine();
  for (const tx of te.committer.log) await replica.engine.redo(tx.events, (t) => t.commit());
  const rs = replica.engine.session({ connectionId: 1, user: 'u', host: 'h', database: 'sbtest' });
  expect(rowsOf(await rs.execute('SELECT id, k, c, pad FROM sbtest1 ORDER BY id'))).toEqual(rows);
  // cleanup
  await admin.execute('DROP TABLE IF EXISTS sbtest1');
  expect(rowsOf(await admin.execute('SHOW TABLES'))).toEqual([]);
  expect(te.db.transactions()).toEqual([]); // every session ended its transaction
  const waits = te.db.counters.lockWaits;
  await replica.close();
  await te.close();
  return { retries, waits };
}

describe('executor: sysbench statement set, 16 sessions, seeded interleavings', () => {
  for (const mode of ['range', 'point'] as const) {
    it(`${mode} locking: no lost update, binlog replays on a model and by redo to the same table (${SEEDS} seeds)`, async () => {
      let waits = 0;
      await forEachSeed(SEEDS, async (seed) => {
        const r = await runSysbench(mode, seed);
        waits += r.waits;
      });
      expect(waits).toBeGreaterThan(0); // the sessions really contended for rows
    }, 120_000);
  }
});
