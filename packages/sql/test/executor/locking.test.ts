import { describe, expect, it } from 'vitest';
import type { LockingMode } from '@lockstep/txn';
import { openTestEngine, rowsOf, type TestEngine } from './harness.js';
import type { Session, StatementResult } from '../../src/index.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Waits (bounded, by event-loop turns, never by time) until some transaction waits for a lock. */
async function untilWaiting(te: TestEngine): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (te.db.transactions().some((t) => t.waitingForLock)) return;
    await settle();
  }
  throw new Error('no transaction started waiting for a lock');
}

function track(p: Promise<StatementResult>): { done: () => boolean; promise: Promise<StatementResult> } {
  let settled = false;
  const promise = p.finally(() => {
    settled = true;
  });
  promise.catch(() => undefined);
  return { done: () => settled, promise };
}

async function setup(mode: LockingMode): Promise<{ te: TestEngine; a: Session; b: Session }> {
  const te = await openTestEngine({ lockingMode: mode });
  const a = te.engine.session({ connectionId: 1, user: 'u', host: 'h' });
  await a.execute('CREATE DATABASE d');
  await a.execute('USE d');
  await a.execute('CREATE TABLE t (id INT NOT NULL PRIMARY KEY, k INT NOT NULL, KEY k_1 (k))');
  await a.execute('INSERT INTO t VALUES (10, 1), (20, 2), (30, 3)');
  const b = te.engine.session({ connectionId: 2, user: 'u', host: 'h', database: 'd' });
  return { te, a, b };
}

describe('executor: locking modes', () => {
  it('range mode: SELECT ... FOR UPDATE over a range blocks an insert into it until commit (no phantom)', async () => {
    const { te, a, b } = await setup('range');
    await a.execute('BEGIN');
    expect(rowsOf(await a.execute('SELECT id FROM t WHERE id BETWEEN 10 AND 25 FOR UPDATE'))).toEqual([[10], [20]]);
    const insert = track(b.execute('INSERT INTO t VALUES (15, 9)'));
    await untilWaiting(te);
    expect(insert.done()).toBe(false);
    expect(rowsOf(await a.execute('SELECT id FROM t WHERE id BETWEEN 10 AND 25 FOR UPDATE'))).toEqual([[10], [20]]);
    await a.execute('COMMIT');
    await insert.promise;
    expect(te.committer.log.at(-1)!.waited).toBe(true);
    expect(rowsOf(await a.execute('SELECT id FROM t WHERE id BETWEEN 10 AND 25'))).toEqual([[10], [15], [20]]);
    await te.close();
  });

  it('range mode: a secondary-index range scanned by UPDATE is locked too', async () => {
    const { te, a, b } = await setup('range');
    await a.execute('BEGIN');
    await a.execute('UPDATE t SET id = id + 1000 WHERE k BETWEEN 1 AND 2');
    const insert = track(b.execute('INSERT INTO t VALUES (5, 2)'));
    await untilWaiting(te);
    expect(insert.done()).toBe(false);
    await a.execute('ROLLBACK');
    await insert.promise;
    await te.close();
  });

  it('point mode: the same insert proceeds and the locking re-read sees it (the documented phantom)', async () => {
    const { te, a, b } = await setup('point');
    await a.execute('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    await a.execute('BEGIN');
    expect(rowsOf(await a.execute('SELECT id FROM t WHERE id BETWEEN 10 AND 25 FOR UPDATE'))).toEqual([[10], [20]]);
    await b.execute('INSERT INTO t VALUES (15, 9)');
    expect(rowsOf(await a.execute('SELECT id FROM t WHERE id BETWEEN 10 AND 25 FOR UPDATE'))).toEqual([[10], [15], [20]]);
    // But rows read are locked: an update of one waits.
    const update = track(b.execute('UPDATE t SET k = 7 WHERE id = 10'));
    await untilWaiting(te);
    expect(update.done()).toBe(false);
    await a.execute('COMMIT');
    await update.promise;
    await te.close();
  });

  it('LOCK IN SHARE MODE lets readers share and blocks writers; KILL QUERY ends a lock wait with 1927', async () => {
    const { te, a, b } = await setup('range');
    const c = te.engine.session({ connectionId: 3, user: 'u', host: 'h', database: 'd' });
    await a.execute('BEGIN');
    await a.execute('SELECT * FROM t WHERE id = 10 LOCK IN SHARE MODE');
    await c.execute('BEGIN');
    await c.execute('SELECT * FROM t WHERE id = 10 LOCK IN SHARE MODE');
    const update = track(b.execute('UPDATE t SET k = 5 WHERE id = 10'));
    await untilWaiting(te);
    b.kill(true);
    await expect(update.promise).rejects.toMatchObject({ errno: 1927 });
    expect(b.inTransaction).toBe(false);
    await a.execute('COMMIT');
    await c.execute('COMMIT');
    await b.execute('UPDATE t SET k = 5 WHERE id = 10');
    expect(rowsOf(await b.execute('SELECT k FROM t WHERE id = 10'))).toEqual([[5]]);
    await te.close();
  });

  it('a deadlock fails one transaction with 1213 and rolls it back; the other finishes', async () => {
    const { te, a, b } = await setup('range');
    await a.execute('BEGIN');
    await b.execute('BEGIN');
    await a.execute('UPDATE t SET k = 100 WHERE id = 10');
    await b.execute('UPDATE t SET k = 200 WHERE id = 20');
    const first = track(a.execute('UPDATE t SET k = 101 WHERE id = 20'));
    await untilWaiting(te);
    const second = track(b.execute('UPDATE t SET k = 201 WHERE id = 10'));
    const results = await Promise.allSettled([first.promise, second.promise]);
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.reason).toMatchObject({ errno: 1213 });
    const loser = results[0].status === 'rejected' ? a : b;
    const winner = loser === a ? b : a;
    expect(loser.inTransaction).toBe(false);
    await winner.execute('COMMIT');
    const rows = rowsOf(await a.execute('SELECT k FROM t WHERE id IN (10, 20) ORDER BY id'));
    expect(rows).toEqual(winner === a ? [[100], [101]] : [[201], [200]]);
    await te.close();
  });
});
