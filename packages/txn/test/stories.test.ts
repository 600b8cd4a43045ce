// Phantoms, the iterator-refresh problem, and the three replica-deadlock stories from
// MariaDB's parallel-replication work, on the real kv engine (simulated file system).
import { describe, expect, it } from 'vitest';
import { MIN_KEY } from '@lockstep/locktree';
import { LockWaitKilledError, TransactionKilledError, type Transaction, type TransactionDb } from '../src/index.js';
import { key, num, openSimDb, rejectsWith, scanKeys, seed, settle } from './helpers.js';

async function committedKeys(db: TransactionDb): Promise<number[]> {
  const t = db.begin();
  const keys = await scanKeys(t);
  await t.rollback();
  return keys;
}

describe('phantoms', () => {
  it('range mode: a locking range read blocks an insert into the range (and the gap to the bound) until commit', async () => {
    const { db } = await openSimDb({ lockingMode: 'range' });
    await seed(db, [[10, 0], [15, 0], [30, 0]]);
    const t1 = db.begin();
    expect(await scanKeys(t1, { gte: key(10), lt: key(20), lock: 'shared' })).toEqual([10, 15]);
    const outside = db.begin();
    await outside.insert(key(5), num(5)); // before the range: not blocked
    await outside.insert(key(25), num(25)); // after the bound: not blocked
    await outside.commit();
    const t2 = db.begin();
    const insert = t2.insert(key(12), num(12));
    const t3 = db.begin();
    const insertNearBound = t3.insert(key(19), num(19)); // in the gap between the last key and the bound
    await settle();
    expect(t2.waitingForLock && t3.waitingForLock).toBe(true);
    expect(db.status().transactions.find((s) => s.id === t2.id)?.waitingFor?.blockers).toEqual([t1.id]);
    expect(await scanKeys(t1, { gte: key(10), lt: key(20), lock: 'shared' })).toEqual([10, 15]); // no phantom
    await t1.commit();
    await insert;
    await insertNearBound;
    await t2.commit();
    await t3.commit();
    expect(await committedKeys(db)).toEqual([5, 10, 12, 15, 19, 25, 30]);
  });

  it('range mode: an open-ended locking scan locks to the end of the index', async () => {
    const { db } = await openSimDb({ lockingMode: 'range' });
    await seed(db, [[10, 0]]);
    const t1 = db.begin();
    expect(await scanKeys(t1, { gte: key(5), lock: 'exclusive' })).toEqual([10]);
    const t2 = db.begin();
    const insert = t2.insert(key(1_000_000), num(0));
    await settle();
    expect(t2.waitingForLock).toBe(true);
    await t1.rollback();
    await insert;
    await t2.commit();
  });

  it('point mode (read committed): the insert is not blocked and a repeated locking scan sees a phantom', async () => {
    const { db } = await openSimDb({ lockingMode: 'point', isolation: 'read-committed' });
    await seed(db, [[10, 0], [15, 0], [30, 0]]);
    const t1 = db.begin();
    expect(await t1.statement(() => scanKeys(t1, { gte: key(10), lt: key(20), lock: 'shared' }))).toEqual([10, 15]);
    const t2 = db.begin();
    await t2.insert(key(12), num(12)); // no wait
    expect(t2.waitedForLock).toBe(false);
    await t2.commit();
    expect(await t1.statement(() => scanKeys(t1, { gte: key(10), lt: key(20), lock: 'shared' }))).toEqual([10, 12, 15]);
    await t1.commit();
  });

  it('point mode (repeatable read): the insert commits inside a range the transaction read with locks; its scans keep the snapshot', async () => {
    const { db } = await openSimDb({ lockingMode: 'point' });
    await seed(db, [[10, 0], [15, 0]]);
    const t1 = db.begin();
    expect(await scanKeys(t1, { gte: key(10), lt: key(20), lock: 'exclusive' })).toEqual([10, 15]);
    const t2 = db.begin();
    await t2.insert(key(12), num(12));
    await t2.commit();
    expect(await scanKeys(t1, { gte: key(10), lt: key(20), lock: 'exclusive' })).toEqual([10, 15]);
    // An "UPDATE ... WHERE k BETWEEN 10 AND 20" by t1 would miss row 12, which is there when t1 commits.
    await t1.commit();
    expect(await committedKeys(db)).toEqual([10, 12, 15]);
  });

  it('the iterator-refresh problem: a key committed into a gap while the scan waited for its lock is returned', async () => {
    const { db } = await openSimDb({ lockingMode: 'range' });
    await seed(db, [[10, 0], [15, 0]]);
    const t0 = db.begin();
    await t0.put(key(15), num(1)); // t0 holds 15
    const t1 = db.begin();
    const scan = t1.scan(1, { gte: key(10), lte: key(20), lock: 'exclusive' });
    const first = await scan.next();
    expect(first.done === false && first.value.key).toEqual(key(10));
    await t0.insert(key(12), num(12)); // uncommitted: t1's cursor sees 15 as the next key
    const second = scan.next(); // needs (10, 15]: waits for t0
    await settle();
    expect(t1.waitingForLock).toBe(true);
    await t0.commit(); // 12 is committed while t1 waits
    const got = await second;
    expect(got.done === false && got.value.key).toEqual(key(12)); // seen through the refreshed cursor
    const third = await scan.next();
    expect(third.done === false && third.value.value).toEqual(num(1)); // 15 with t0's committed value
    expect((await scan.next()).done).toBe(true);
    await t1.commit();
  });
});

/**
 * What the replica applier does with a wait report (see @lockstep/replication's README):
 * if a holder is later in commit order than the waiter, kill the holder.
 */
function replicaApplier(db: TransactionDb, commitOrder: Map<Transaction, number>): { reports: string[] } {
  const reports: string[] = [];
  const name = (t: Transaction): string => `T${commitOrder.get(t) ?? '?'}`;
  db.onLockWait = (waiter, holders) => {
    reports.push(`${name(waiter)} waits for ${holders.map(name).join(',')}`);
    for (const holder of holders) {
      if ((commitOrder.get(holder) ?? 0) > (commitOrder.get(waiter) ?? 0)) holder.kill(`replica: ${name(holder)} is later than ${name(waiter)} in commit order`);
    }
  };
  return { reports };
}

describe('replica deadlock stories (range mode, MariaDB parallel replication)', () => {
  it('1. asymmetric gap locks: a later range delete holds the gap an earlier insert needs; the report names it', async () => {
    // Primary order: T1 = INSERT k=12, then T2 = DELETE WHERE k BETWEEN 10 AND 20 (deletes 10, 12, 15).
    const { db } = await openSimDb({ lockingMode: 'range' });
    await seed(db, [[10, 0], [15, 0], [30, 0]]);
    const order = new Map<Transaction, number>();
    const { reports } = replicaApplier(db, order);
    const deleteRange = async (t: Transaction): Promise<void> => {
      for await (const row of t.scan(1, { gte: key(10), lte: key(20), lock: 'exclusive' })) await t.delete(row.key);
    };
    // The replica runs T2 first: its scan locks [10, 20], gaps included.
    const t2 = db.begin();
    order.set(t2, 2);
    await deleteRange(t2);
    const t1 = db.begin();
    order.set(t1, 1);
    const insert = t1.insert(key(12), num(12)); // the insert needs only its key, but it lies in T2's gap
    await settle();
    expect(reports).toEqual(['T1 waits for T2']);
    expect(t2.mustRollBack).toMatch(/later than T1/);
    await expect(t2.commit()).rejects.toBeInstanceOf(TransactionKilledError);
    await t2.rollback();
    await insert;
    await t1.commit();
    const retry = db.begin();
    order.set(retry, 2);
    await deleteRange(retry);
    await retry.commit();
    expect(await committedKeys(db)).toEqual([30]); // the primary's result

    // The asymmetry: in primary order the insert's point lock only makes the scan wait for an earlier transaction.
    await seed(db, [[10, 0], [15, 0]]);
    reports.length = 0;
    const u1 = db.begin();
    order.set(u1, 3);
    await u1.insert(key(12), num(12));
    const u2 = db.begin();
    order.set(u2, 4);
    const scan = deleteRange(u2);
    await settle();
    expect(reports).toEqual(['T4 waits for T3']);
    expect(u1.mustRollBack).toBeUndefined();
    await u1.commit();
    await scan;
    await u2.commit();
    expect(await committedKeys(db)).toEqual([30]);
  });

  it('2. a statement takes more locks on the replica than on the primary (a row found by scanning); the report names it', async () => {
    // Primary: T1 = UPDATE row 3, T2 = UPDATE row 5, each by primary key (one point lock each: no conflict).
    const { db } = await openSimDb({ lockingMode: 'range' });
    await seed(db, [[1, 0], [2, 0], [3, 0], [4, 0], [5, 0], [6, 0]]);
    const order = new Map<Transaction, number>();
    const { reports } = replicaApplier(db, order);
    // On the replica the table has no usable key: applying T2's row event scans from the start until row 5.
    const t2 = db.begin();
    order.set(t2, 2);
    for await (const row of t2.scan(1, { lock: 'exclusive' })) {
      if (row.key[7] === 5) {
        await t2.put(row.key, num(55));
        break;
      }
    }
    const held = db.lockManager.heldRanges(t2.id);
    expect(held[0]?.left).toBe(MIN_KEY); // the scan locked everything from the index's start to row 5
    expect(held.some((r) => r.right instanceof Uint8Array && r.right[7] === 5)).toBe(true);
    const t1 = db.begin();
    order.set(t1, 1);
    const update = t1.put(key(3), num(33)); // on the primary this never conflicted with T2
    await settle();
    expect(reports).toEqual(['T1 waits for T2']);
    await expect(t2.commit()).rejects.toBeInstanceOf(TransactionKilledError);
    await t2.rollback();
    await update;
    await t1.commit();
  });

  it('3. lock-order inversion between two inserts into one gap (shared gap locks, then inserts); the report names the later one', async () => {
    // Both inserts first check the gap (10, 20) for a duplicate under a shared range lock, as InnoDB's duplicate check does, then insert.
    const { db } = await openSimDb({ lockingMode: 'range' });
    await seed(db, [[10, 0], [20, 0]]);
    const order = new Map<Transaction, number>();
    const { reports } = replicaApplier(db, order);
    const t2 = db.begin();
    order.set(t2, 2);
    const t1 = db.begin();
    order.set(t1, 1);
    await t2.lockRange(1, { gt: key(10), lt: key(20) }, 'shared');
    await t1.lockRange(1, { gt: key(10), lt: key(20) }, 'shared');
    const insert1 = t1.insert(key(13), num(13));
    await settle();
    expect(reports).toEqual(['T1 waits for T2']);
    // T2 was killed from inside the report: its own insert (which would close the cycle) fails at once, without waiting.
    const killed = await rejectsWith(t2.insert(key(12), num(12)), 'TXN_KILLED');
    expect(killed.errno).toBe(1927);
    await t2.rollback();
    await insert1;
    await t1.commit();

    // Without the applier, deadlock detection picks whoever closes the cycle: here T2 again.
    db.onLockWait = undefined;
    const [a, b] = [db.begin(), db.begin()];
    await b.lockRange(1, { gt: key(20) }, 'shared');
    await a.lockRange(1, { gt: key(20) }, 'shared');
    const insertA = a.insert(key(23), num(23));
    await settle();
    await rejectsWith(b.insert(key(22), num(22)), 'DEADLOCK');
    await b.rollback();
    await insertA;
    await a.commit();
    expect(await committedKeys(db)).toEqual([10, 13, 20, 23]);
  });

  it('kill reaches a waiter inside a report: the waiter itself rejects with 1927', async () => {
    const { db } = await openSimDb({ lockingMode: 'range' });
    const t1 = db.begin();
    await t1.put(key(1), num(1));
    db.onLockWait = (waiter) => waiter.kill('waiter killed by the report');
    const t2 = db.begin();
    await expect(t2.put(key(1), num(2))).rejects.toBeInstanceOf(LockWaitKilledError);
    await t2.rollback();
    await t1.commit();
  });
});
