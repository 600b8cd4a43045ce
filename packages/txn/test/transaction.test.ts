import { ManualClock } from '@lockstep/base';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DeadlockError,
  DuplicateKeyError,
  InvalidOptionError,
  MAX_OPEN_ITERATORS,
  TooManyIteratorsError,
  KeyLayoutError,
  LockWaitKilledError,
  LockWaitTimeoutError,
  TooManyTransactionsError,
  TransactionAbortedError,
  TransactionBusyError,
  TransactionKilledError,
  TransactionStateError,
  TransactionTooLargeError,
  WriteConflictError,
  indexIdOf,
  indexKey,
  keyWithinIndex,
  type Transaction,
  type TransactionDb,
} from '../src/index.js';
import { key, num, openRealDb, openSimDb, rejectsWith, scanKeys, seed, settle, toNum } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function realDb(options: Parameters<typeof openRealDb>[0] = {}): Promise<TransactionDb> {
  const { db, cleanup } = await openRealDb(options);
  cleanups.push(cleanup);
  return db;
}

describe('reads and writes', () => {
  it('a transaction sees its own writes; others see them only after commit', async () => {
    const db = await realDb();
    await seed(db, [[1, 10]]);
    const t1 = db.begin();
    const t2 = db.begin();
    expect(toNum(t2.get(key(1)))).toBe(10); // t2's snapshot is taken here
    await t1.put(key(1), num(11));
    await t1.put(key(2), num(20));
    await t1.delete(key(1));
    expect(t1.get(key(1))).toBeUndefined();
    expect(toNum(t1.get(key(2)))).toBe(20);
    expect(toNum(t2.get(key(1)))).toBe(10);
    await t1.commit();
    expect(toNum(t2.get(key(1)))).toBe(10); // repeatable read: still the snapshot
    expect(t2.get(key(2))).toBeUndefined();
    await t2.commit();
    const t3 = db.begin();
    expect(t3.get(key(1))).toBeUndefined();
    expect(toNum(t3.get(key(2)))).toBe(20);
    await t3.rollback();
  });

  it('rollback discards the writes and releases the locks', async () => {
    const db = await realDb();
    const t1 = db.begin();
    await t1.put(key(1), num(1));
    expect(db.lockManager.heldRanges(t1.id)).toHaveLength(1);
    await t1.rollback();
    await t1.rollback(); // idempotent
    expect(db.lockManager.heldRanges(t1.id)).toHaveLength(0);
    expect(db.transactions()).toHaveLength(0);
    const t2 = db.begin();
    expect(t2.get(key(1))).toBeUndefined();
    await t2.commit();
  });

  it('insert fails with 1062 on a committed key and on its own live write, not on its own delete', async () => {
    const db = await realDb();
    await seed(db, [[1, 1]]);
    const t = db.begin();
    const dup = await rejectsWith(t.insert(key(1), num(2)), 'DUPLICATE_KEY');
    expect(dup).toBeInstanceOf(DuplicateKeyError);
    expect(dup.errno).toBe(1062);
    await t.insert(key(2), num(2));
    await rejectsWith(t.insert(key(2), num(3)), 'DUPLICATE_KEY');
    await t.delete(key(1));
    await t.insert(key(1), num(5));
    await t.commit();
    const check = db.begin();
    expect(toNum(check.get(key(1)))).toBe(5);
    expect(toNum(check.get(key(2)))).toBe(2);
    expect(db.counters.duplicateKeys).toBe(2);
    await check.rollback();
  });

  it('the key layout: keys carry a 4-byte index id; bad keys and bounds are typed errors', async () => {
    const db = await realDb();
    const k = indexKey(258, Uint8Array.of(9, 9));
    expect([...k]).toEqual([0, 0, 1, 2, 9, 9]);
    expect(indexIdOf(k)).toBe(258);
    expect([...keyWithinIndex(k)]).toEqual([9, 9]);
    expect(() => indexKey(-1, new Uint8Array())).toThrow(KeyLayoutError);
    const t = db.begin();
    expect(() => t.get(Uint8Array.of(1, 2))).toThrow(KeyLayoutError);
    await expect(t.put(Uint8Array.of(1), num(1))).rejects.toBeInstanceOf(KeyLayoutError);
    expect(() => t.scan(1, { gte: key(1, 2) })).toThrow(KeyLayoutError);
    expect(() => t.scan(1, { gte: key(1), gt: key(2) })).toThrow(KeyLayoutError);
    await t.rollback();
  });

  it('scans merge own writes (puts, overwrites, deletes) with the engine, forward and reverse, within bounds', async () => {
    const db = await realDb();
    await seed(db, [[1, 1], [3, 3], [5, 5], [7, 7]]);
    await seed(db, [[4, 4]], 2); // another index: never seen
    const t = db.begin();
    await t.put(key(2), num(2));
    await t.delete(key(3));
    await t.put(key(5), num(50));
    await t.put(key(9), num(9));
    expect(await scanKeys(t)).toEqual([1, 2, 5, 7, 9]);
    expect(await scanKeys(t, { reverse: true })).toEqual([9, 7, 5, 2, 1]);
    expect(await scanKeys(t, { gt: key(2), lte: key(7) })).toEqual([5, 7]);
    expect(await scanKeys(t, { gte: key(2), lt: key(7), reverse: true })).toEqual([5, 2]);
    expect(await scanKeys(t, { gte: key(8), lt: key(3) })).toEqual([]);
    const values: number[] = [];
    for await (const e of t.scan(1, { gte: key(5), lte: key(5) })) values.push(toNum(e.value)!);
    expect(values).toEqual([50]);
    await t.rollback();
  });
});

describe('consistent snapshot', () => {
  it('begin({ consistentSnapshot }) fixes the snapshot at begin; without it the first read does', async () => {
    const db = await realDb({ lockingMode: 'point' });
    await seed(db, [[1, 1]]);
    const early = db.begin({ consistentSnapshot: true });
    const lazy = db.begin();
    await seed(db, [[1, 2]]);
    expect(toNum(early.get(key(1)))).toBe(1);
    expect(toNum(lazy.get(key(1)))).toBe(2);
    await rejectsWith(early.getForUpdate(key(1)), 'WRITE_CONFLICT'); // changed after its snapshot
    await early.rollback();
    expect(toNum(await lazy.getForUpdate(key(1)))).toBe(2);
    await lazy.rollback();
    const rc = db.begin({ isolation: 'read-committed' });
    expect(rc.takeSnapshot()).toBeUndefined();
    await rc.rollback();
  });
});

describe('locking reads and the snapshot rules', () => {
  it('the MyRocks lost-update story: point mode fails with a write conflict', async () => {
    const db = await realDb({ lockingMode: 'point' });
    await seed(db, [[1, 100]]);
    const t1 = db.begin();
    expect(toNum(t1.get(key(1)))).toBe(100); // T1 takes its snapshot
    const t2 = db.begin();
    await t2.put(key(1), num(150));
    await t2.commit();
    const error = await rejectsWith(t1.getForUpdate(key(1)), 'WRITE_CONFLICT');
    expect(error).toBeInstanceOf(WriteConflictError);
    expect(error.errno).toBe(1213);
    // The transaction is doomed until it rolls back.
    await expect(t1.put(key(1), num(110))).rejects.toBeInstanceOf(TransactionAbortedError);
    expect(t1.mustRollBack).toMatch(/changed at sequence/);
    await t1.rollback();
    expect(db.counters.writeConflicts).toBe(1);
  });

  it('the MyRocks lost-update story: range mode reads the committed value after the lock and loses nothing', async () => {
    const db = await realDb({ lockingMode: 'range' });
    await seed(db, [[1, 100]]);
    const t1 = db.begin();
    expect(toNum(t1.get(key(1)))).toBe(100);
    const t2 = db.begin();
    await t2.put(key(1), num(150));
    await t2.commit();
    const latest = toNum(await t1.getForUpdate(key(1)));
    expect(latest).toBe(150);
    await t1.put(key(1), num(latest! + 10));
    expect(toNum(t1.get(key(1)))).toBe(160); // own write wins over the snapshot
    await t1.commit();
    const check = db.begin();
    expect(toNum(check.get(key(1)))).toBe(160);
    await check.rollback();
  });

  it('a blind write in point mode is checked too; in read committed there is no snapshot check', async () => {
    const db = await realDb({ lockingMode: 'point' });
    await seed(db, [[1, 1]]);
    const rr = db.begin();
    const rc = db.begin({ isolation: 'read-committed' });
    rr.get(key(2));
    rc.get(key(2));
    const w = db.begin();
    await w.put(key(1), num(2));
    await w.commit();
    await rejectsWith(rr.put(key(1), num(3)), 'WRITE_CONFLICT');
    await rr.rollback(); // it held the lock it took before the check
    expect(toNum(await rc.getForUpdate(key(1)))).toBe(2);
    await rc.put(key(1), num(4));
    await rc.commit();
  });

  it('a locking read waits for the holder, then (range mode) reads what it committed', async () => {
    const db = await realDb();
    await seed(db, [[1, 1]]);
    const t1 = db.begin();
    await t1.put(key(1), num(2));
    const t2 = db.begin();
    t2.get(key(1));
    const read = t2.getForShare(key(1));
    await settle();
    expect(t2.waitingForLock).toBe(true);
    expect(t2.waitedForLock).toBe(true);
    expect(t1.waitedForLock).toBe(false);
    await t1.commit();
    expect(toNum(await read)).toBe(2);
    expect(toNum(t2.get(key(1)))).toBe(1); // the plain read keeps the snapshot
    await t2.commit();
  });

  it('read committed: every plain read sees the newest committed state; a scan reads one state from when it opened', async () => {
    const db = await realDb({ isolation: 'read-committed' });
    await seed(db, [[1, 1], [2, 2]]);
    const t = db.begin();
    expect(toNum(t.get(key(1)))).toBe(1);
    await seed(db, [[1, 10]]);
    expect(toNum(t.get(key(1)))).toBe(10);
    const scan = t.scan(1);
    const first = await scan.next();
    expect(first.done === false && toNum(first.value.value)).toBe(10);
    await seed(db, [[2, 20]]);
    const second = await scan.next();
    expect(second.done === false && toNum(second.value.value)).toBe(2); // the scan's own state
    expect(await t.statement(() => Promise.resolve(toNum(t.get(key(2)))))).toBe(20);
    await t.commit();
  });
});

describe('savepoints and statements', () => {
  it('a failed statement undoes only its own writes and keeps its locks', async () => {
    const db = await realDb();
    await seed(db, [[5, 5]]);
    const t = db.begin();
    await t.statement(async () => {
      await t.put(key(1), num(1));
    });
    await expect(
      t.statement(async () => {
        await t.put(key(1), num(100));
        await t.put(key(2), num(2));
        await t.insert(key(5), num(6)); // duplicate: the statement fails
      }),
    ).rejects.toBeInstanceOf(DuplicateKeyError);
    expect(toNum(t.get(key(1)))).toBe(1);
    expect(t.get(key(2))).toBeUndefined();
    // key 2's lock is still held by t (InnoDB keeps a rolled-back statement's locks).
    const other = db.begin();
    expect(db.lockManager.openTree(1).tryAcquire(other.id, key(2), key(2), 'shared')).toEqual({ granted: false, conflicts: [t.id] });
    await other.rollback();
    await t.commit();
    const check = db.begin();
    expect(toNum(check.get(key(1)))).toBe(1);
    expect(check.get(key(2))).toBeUndefined();
    await check.rollback();
  });

  it('nested savepoints roll back in order; a foreign or stale savepoint is refused', async () => {
    const db = await realDb();
    const t = db.begin();
    await t.put(key(1), num(1));
    const a = t.savepoint();
    await t.put(key(1), num(2));
    const b = t.savepoint();
    await t.delete(key(1));
    t.rollbackToSavepoint(b);
    expect(toNum(t.get(key(1)))).toBe(2);
    t.rollbackToSavepoint(a);
    expect(toNum(t.get(key(1)))).toBe(1);
    expect(() => {
      t.rollbackToSavepoint(b);
    }).toThrow(TransactionStateError);
    const u = db.begin();
    expect(() => {
      u.rollbackToSavepoint(a);
    }).toThrow(TransactionStateError);
    await u.rollback();
    await t.rollback();
  });
});

describe('waits: timeouts, deadlocks, kill', () => {
  async function simDb(options: Parameters<typeof openSimDb>[0] = {}): Promise<{ db: TransactionDb; clock: ManualClock }> {
    const clock = new ManualClock();
    const { db } = await openSimDb({ clock, ...options });
    return { db, clock };
  }

  it('a lock wait times out after lockWaitTimeoutMs with 1205; the transaction stays usable', async () => {
    const { db, clock } = await simDb();
    const t1 = db.begin();
    await t1.put(key(1), num(1));
    const t2 = db.begin({ lockWaitTimeoutMs: 300 });
    const wait = t2.put(key(1), num(2));
    await settle();
    clock.advance(299);
    await settle();
    expect(t2.waitingForLock).toBe(true);
    clock.advance(1);
    const error = await rejectsWith(wait, 'LOCK_WAIT_TIMEOUT');
    expect(error).toBeInstanceOf(LockWaitTimeoutError);
    expect(error.errno).toBe(1205);
    await t2.put(key(2), num(2)); // still usable
    await t2.commit();
    await t1.commit();
    expect(db.counters.lockWaitTimeouts).toBe(1);
  });

  it('a deadlock cycle of 2 fails the transaction that closes it with 1213', async () => {
    const { db } = await simDb();
    const t1 = db.begin();
    const t2 = db.begin();
    await t1.put(key(1), num(1));
    await t2.put(key(2), num(2));
    const w1 = t1.put(key(2), num(1));
    await settle();
    const error = await rejectsWith(t2.put(key(1), num(2)), 'DEADLOCK');
    expect(error).toBeInstanceOf(DeadlockError);
    expect(error.errno).toBe(1213);
    expect(error).toMatchObject({ cycle: [t2.id, t1.id, t2.id] });
    expect(() => t2.get(key(1))).toThrow(TransactionAbortedError);
    await t2.rollback();
    await w1;
    await t1.commit();
    expect(db.counters.deadlocks).toBe(1);
  });

  it('a deadlock cycle of 3 is found; with detection off the cycle ends by timeout', async () => {
    const { db, clock } = await simDb();
    const [a, b, c] = [db.begin(), db.begin(), db.begin()];
    await a.put(key(1), num(0));
    await b.put(key(2), num(0));
    await c.put(key(3), num(0));
    const wa = a.put(key(2), num(0));
    const wb = b.put(key(3), num(0));
    await settle();
    const error = await rejectsWith(c.put(key(1), num(0)), 'DEADLOCK');
    expect(error).toMatchObject({ cycle: [c.id, a.id, b.id, c.id] });
    await c.rollback();
    await wb;
    await b.commit();
    await wa;
    await a.commit();

    const [x, y] = [db.begin({ deadlockDetection: false, lockWaitTimeoutMs: 1000 }), db.begin({ deadlockDetection: false, lockWaitTimeoutMs: 2000 })];
    await x.put(key(1), num(0));
    await y.put(key(2), num(0));
    const wx = x.put(key(2), num(0));
    const wy = y.put(key(1), num(0));
    await settle();
    expect(x.waitingForLock && y.waitingForLock).toBe(true);
    clock.advance(1000);
    await rejectsWith(wx, 'LOCK_WAIT_TIMEOUT');
    await x.rollback();
    await wy;
    await y.commit();
  });

  it('a cycle closed by a transaction with detection off fails the member that has it on, at once', async () => {
    const { db } = await simDb();
    const on = db.begin({ deadlockDetection: true });
    const off = db.begin({ deadlockDetection: false });
    await on.put(key(1), num(0));
    await off.put(key(2), num(0));
    const waitOn = on.put(key(2), num(0));
    await settle();
    const waitOff = off.put(key(1), num(0)); // closes the cycle; off is never the victim
    const error = await rejectsWith(waitOn, 'DEADLOCK');
    expect(error).toMatchObject({ txnId: on.id, cycle: [off.id, on.id, off.id] });
    // One deadlock, counted as such (not as a kill) by both the database and the lock manager.
    expect(db.counters.deadlocks).toBe(1);
    expect(db.lockManager.counters).toMatchObject({ deadlocks: 1, kills: 0 });
    await on.rollback();
    await waitOff;
    await off.commit();
  });

  it('the deadlock search is bounded by maxDeadlockSearch: a search cut short counts as a deadlock', async () => {
    const { db } = await simDb({ maxDeadlockSearch: 2 });
    const chain = Array.from({ length: 4 }, () => db.begin());
    for (const [i, t] of chain.entries()) await t.put(key(i), num(i));
    // chain[i] waits for chain[i + 1]: a wait-for path of 3 edges, no cycle.
    const waits = [chain[2]!.put(key(3), num(0)), chain[1]!.put(key(2), num(0))];
    await settle();
    const error = await rejectsWith(chain[0]!.put(key(1), num(0)), 'DEADLOCK');
    expect(error.message).toMatch(/exceeded its bound/);
    await chain[0]!.rollback();
    await chain[3]!.commit();
    await waits[0];
    await chain[2]!.commit();
    await waits[1];
    await chain[1]!.commit();
  });

  it('kill while waiting rejects the wait at once with 1927; later operations fail until rollback', async () => {
    const { db } = await simDb();
    const t1 = db.begin();
    await t1.put(key(1), num(1));
    const t2 = db.begin();
    const wait = t2.getForUpdate(key(1));
    await settle();
    expect(t2.kill('replica retry')).toBe(true);
    const error = await rejectsWith(wait, 'LOCK_WAIT_KILLED');
    expect(error).toBeInstanceOf(LockWaitKilledError);
    expect(error.errno).toBe(1927);
    expect(() => t2.get(key(5))).toThrow(TransactionKilledError);
    await expect(t2.put(key(5), num(5))).rejects.toBeInstanceOf(TransactionKilledError);
    await expect(t2.commit()).rejects.toBeInstanceOf(TransactionKilledError);
    await t2.rollback();
    await t1.commit();
    expect(db.status().transactions).toHaveLength(0);
  });

  it('kill while running: the next operation fails with 1927, and a later wait is never started', async () => {
    const { db } = await simDb();
    const t1 = db.begin();
    await t1.put(key(1), num(1));
    const t2 = db.begin();
    await t2.put(key(2), num(2));
    expect(t2.kill()).toBe(true);
    const error = await rejectsWith(t2.put(key(1), num(2)), 'TXN_KILLED');
    expect(error.errno).toBe(1927);
    expect(db.lockManager.status().pending).toHaveLength(0);
    await t2.rollback();
    await t1.commit();
    const t3 = db.begin();
    await t3.commit();
    expect(t3.kill()).toBe(false); // ended: nothing to kill
  });

  it('a second operation while one waits is refused with TransactionBusyError', async () => {
    const { db } = await simDb();
    const t1 = db.begin();
    await t1.put(key(1), num(1));
    const t2 = db.begin();
    const wait = t2.put(key(1), num(2));
    await settle();
    await expect(t2.put(key(3), num(3))).rejects.toBeInstanceOf(TransactionBusyError);
    await t1.commit();
    await wait;
    await t2.commit();
  });

  it('the listener gets transaction objects (new holders included), may kill from inside, and a throwing listener is contained', async () => {
    const { db } = await simDb();
    const reports: [number, number[], number][] = [];
    db.onLockWait = (waiter, holders, indexId) => {
      reports.push([waiter.id, holders.map((h) => h.id), indexId]);
    };
    const [t1, t2, t3] = [db.begin(), db.begin(), db.begin()];
    await t1.getForShare(key(1));
    await t2.getForShare(key(1));
    const w3 = t3.put(key(1), num(3));
    await settle();
    expect(reports).toEqual([[t3.id, [t1.id, t2.id], 1]]);
    await t1.commit();
    expect(reports[1]).toEqual([t3.id, [t2.id], 1]);
    // Kill the holder from inside the report; the listener then throws (contained).
    db.onLockWait = (_waiter, holders) => {
      for (const h of holders) h.kill('holder is later in commit order');
      throw new Error('listener bug');
    };
    const t4 = db.begin();
    await t4.put(key(9), num(9));
    const t5 = db.begin();
    const w5 = t5.put(key(9), num(5));
    await settle();
    expect(t4.mustRollBack).toMatch(/killed/);
    await t4.rollback();
    await w5;
    expect(db.status().listenerErrors).toBe(1);
    await t5.commit();
    await t2.commit();
    await w3;
    await t3.commit();
  });

  it('status lists transactions, their locks and what each waits for', async () => {
    const { db, clock } = await simDb();
    const t1 = db.begin({ lockingMode: 'range' });
    await t1.lockRange(1, { gte: key(10), lt: key(20) }, 'shared');
    const t2 = db.begin({ lockingMode: 'point', isolation: 'read-committed' });
    const wait = t2.insert(key(15), num(15));
    await settle();
    clock.advance(7);
    const status = db.status();
    expect(status.transactions.map((s) => [s.id, s.state, s.lockingMode, s.isolation])).toEqual([
      [t1.id, 'active', 'range', 'repeatable-read'],
      [t2.id, 'active', 'point', 'read-committed'],
    ]);
    expect(status.transactions[0]!.locks).toEqual([{ indexId: 1, left: key(10), right: key(20), mode: 'shared' }]);
    expect(status.transactions[1]!.waitingFor).toMatchObject({ indexId: 1, left: key(15), right: key(15), mode: 'exclusive', blockers: [t1.id], waitingMs: 7 });
    expect(status.transactions[1]!.waitedForLock).toBe(true);
    expect(status.counters.lockWaits).toBe(1);
    await t1.commit();
    await wait;
    expect(db.status().transactions[0]!.bufferedWrites).toBe(1);
    await t2.commit();
  });
});

describe('iterators and explicit locks', () => {
  it('refresh() moves a locking read-committed scan to the newest state after its position; a plain repeatable-read scan keeps its snapshot', async () => {
    const db = await realDb({ lockingMode: 'point', isolation: 'read-committed' });
    await seed(db, [[1, 1], [5, 5]]);
    const t = db.begin();
    const scan = t.scan(1, { lock: 'exclusive' });
    const first = await scan.next();
    expect(first.done === false && first.value.key).toEqual(key(1));
    await seed(db, [[3, 3]]); // committed after the scan's cursor was opened
    scan.refresh();
    expect(await (async () => { const out: number[] = []; for await (const e of scan) out.push(toNum(e.value)!); return out; })()).toEqual([3, 5]);
    await t.commit();

    const rr = db.begin({ isolation: 'repeatable-read' });
    const plain = rr.scan(1);
    await plain.next();
    await seed(db, [[2, 2]]);
    plain.refresh();
    const rest: number[] = [];
    for await (const e of plain) rest.push(toNum(e.value)!);
    expect(rest).toEqual([3, 5]);
    await rr.commit();
  });

  it('lockKey and lockRange take locks without reading; an empty range takes none; a closed iterator returns done', async () => {
    const db = await realDb();
    const t = db.begin();
    await t.lockKey(key(1), 'shared');
    await t.lockRange(1, { gte: key(9), lt: key(3) }, 'exclusive');
    await t.lockRange(2, {}, 'shared');
    expect(db.lockManager.heldRanges(t.id).map((r) => [r.indexId, r.mode])).toEqual([[1, 'shared'], [2, 'shared']]);
    const scan = t.scan(1);
    scan.close();
    expect((await scan.next()).done).toBe(true);
    await t.commit();
  });

  it('lock memory is bounded: past the limit (after escalation) an operation fails with 1206 and the transaction stays usable', async () => {
    const db = await realDb({ lockMemoryLimitBytes: 2_000 });
    const a = db.begin();
    const b = db.begin();
    let failure: unknown;
    for (let i = 0; i < 40 && failure === undefined; i++) {
      try {
        await (i % 2 === 0 ? a : b).put(key(i), num(i)); // interleaved owners: escalation cannot merge
      } catch (error) {
        failure = error;
      }
    }
    expect(failure).toMatchObject({ code: 'LOCK_MEMORY_EXHAUSTED', errno: 1206 });
    await a.rollback();
    await b.put(key(100), num(1)); // memory was freed by a's rollback
    await b.commit();
  });
});

describe('limits and bad options', () => {
  it('maxWriteBytes refuses the write that would pass it; the transaction stays usable', async () => {
    const db = await realDb({ maxWriteBytes: 200 });
    const t = db.begin();
    await t.put(key(1), new Uint8Array(100));
    const error = await rejectsWith(t.put(key(2), new Uint8Array(100)), 'TXN_TOO_LARGE');
    expect(error).toBeInstanceOf(TransactionTooLargeError);
    await t.put(key(1), new Uint8Array(120)); // replacing: charged once
    await t.commit();
  });

  it('maxTransactions bounds open transactions; bad options are typed errors', async () => {
    const db = await realDb({ maxTransactions: 2 });
    const a = db.begin();
    const b = db.begin();
    expect(() => db.begin()).toThrow(TooManyTransactionsError);
    await a.rollback();
    db.begin();
    await b.rollback();
    expect(() => db.begin({ lockWaitTimeoutMs: -1 })).toThrow(InvalidOptionError);
    expect(() => db.begin({ lockingMode: 'table' as 'point' })).toThrow(InvalidOptionError);
    expect(() => db.begin({ isolation: 'serializable' as 'read-committed' })).toThrow(InvalidOptionError);
  });

  it('open scans per transaction are bounded; closing one makes room', async () => {
    const db = await realDb();
    const t = db.begin();
    const scans = Array.from({ length: MAX_OPEN_ITERATORS }, () => t.scan(1));
    expect(() => t.scan(1)).toThrow(TooManyIteratorsError);
    scans[0]!.close();
    t.scan(1);
    await t.commit(); // closes them all
    expect((await scans[1]!.next()).done).toBe(true);
  });

  it('close() rolls back open transactions and refuses new ones; transactions are found by id', async () => {
    const db = await realDb();
    const t = db.begin();
    await t.put(key(1), num(1));
    expect(db.transaction(t.id)).toBe(t);
    await db.close();
    expect(t.state).toBe('rolled-back');
    expect(db.transaction(t.id)).toBeUndefined();
    expect(() => db.begin()).toThrow(InvalidOptionError);
  });

  it('operations after commit are refused with TransactionStateError', async () => {
    const db = await realDb();
    const t: Transaction = db.begin();
    await t.commit();
    expect(() => t.get(key(1))).toThrow(TransactionStateError);
    await expect(t.put(key(1), num(1))).rejects.toBeInstanceOf(TransactionStateError);
    await expect(t.rollback()).rejects.toBeInstanceOf(TransactionStateError);
  });
});
