// Two-phase commit pieces, recovery of prepared transactions after a restart, and engine
// failures at commit — on the real kv engine (real files, and the simulated file system
// for faults).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KvStore } from '@lockstep/kv';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CommitNotDurableError,
  CoordinatorPositionError,
  TransactionDb,
  TransactionStateError,
  UnknownXidError,
  XidInUseError,
  decodeCoordinatorPosition,
  encodeCoordinatorPosition,
} from '../src/index.js';
import { key, num, openRealDb, openSimDb, settle, toNum } from './helpers.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function read(db: TransactionDb, k: Uint8Array): number | undefined {
  const t = db.begin();
  const value = toNum(t.get(k));
  void t.rollback();
  return value;
}

describe('two-phase commit', () => {
  it('prepare keeps the writes invisible and the locks held; commitOrdered makes them visible at once with the position; commit releases', async () => {
    const { db, engine, cleanup } = await openRealDb();
    cleanups.push(cleanup);
    const t = db.begin();
    await t.put(key(1), num(1));
    await t.prepare(11n);
    expect(t.state).toBe('prepared');
    expect(read(db, key(1))).toBeUndefined();
    await expect(t.put(key(2), num(2))).rejects.toBeInstanceOf(TransactionStateError);
    expect(t.kill()).toBe(false); // too late to kill
    const other = db.begin();
    const wait = other.put(key(1), num(9));
    await settle();
    expect(other.waitingForLock).toBe(true);
    t.commitOrdered({ logNumber: 3, offset: 4096 });
    expect(t.state).toBe('committed');
    expect(read(db, key(1))).toBe(1); // visible before commit() returns
    expect(other.waitingForLock).toBe(true); // locks until commit()
    await t.commit();
    await wait;
    await other.commit();
    await engine.flush({ sync: true });
    expect(decodeCoordinatorPosition(engine.durableCoordinatorPosition()!)).toEqual({ logNumber: 3, offset: 4096 });
    expect(db.counters.prepared).toBe(1);
  });

  it('branch(): a tc TransactionBranch, with and without prepare; the transaction accepts no operation meanwhile', async () => {
    const { db, cleanup } = await openRealDb();
    cleanups.push(cleanup);
    const t1 = db.begin();
    await t1.put(key(1), num(1));
    const b1 = t1.branch();
    expect(b1.participantName).toBe('txn');
    expect(t1.state).toBe('committing');
    expect(() => t1.get(key(1))).toThrow(TransactionStateError);
    expect(t1.kill()).toBe(false);
    await b1.prepare!(21n);
    b1.commitOrdered({ logNumber: 1, offset: 10 });
    await b1.commit!();
    const t2 = db.begin();
    await t2.put(key(2), num(2));
    const b2 = t2.branch();
    b2.commitOrdered({ logNumber: 1, offset: 20 }); // one-phase through a coordinator: writeOrdered
    await b2.commit!();
    const t3 = db.begin();
    await t3.put(key(3), num(3));
    const b3 = t3.branch();
    await b3.prepare!(23n);
    await b3.rollback();
    expect([read(db, key(1)), read(db, key(2)), read(db, key(3))]).toEqual([1, 2, undefined]);
    expect(db.transactions()).toEqual([]);
  });

  it('an XID in use is refused; unknown XIDs are typed errors', async () => {
    const { db, cleanup } = await openRealDb();
    cleanups.push(cleanup);
    const a = db.begin();
    await a.prepare(5n);
    const b = db.begin();
    await expect(b.prepare(5n)).rejects.toBeInstanceOf(XidInUseError);
    await b.rollback();
    const c = db.begin();
    const branch = c.branch();
    await expect(branch.prepare!(5n)).rejects.toBeInstanceOf(XidInUseError);
    expect(c.state).toBe('committing'); // still driven by the coordinator, which rolls it back
    expect(c.kill()).toBe(false);
    await branch.rollback();
    await expect(db.participant().commitPrepared(6n)).rejects.toBeInstanceOf(UnknownXidError);
    await a.rollback();
    await expect(db.participant().rollbackPrepared(5n)).rejects.toBeInstanceOf(UnknownXidError);
  });

  it('after a restart, prepared transactions come back with their locks and the participant resolves them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-txn-2pc-'));
    cleanups.push(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    {
      const engine = await KvStore.open(dir);
      const db = new TransactionDb(engine);
      const seedTxn = db.begin();
      await seedTxn.put(key(2), num(2));
      await seedTxn.commit();
      const commitMe = db.begin();
      await commitMe.put(key(1), num(10));
      await commitMe.delete(key(2));
      await commitMe.prepare(7n);
      const rollMeBack = db.begin();
      await rollMeBack.put(key(3), num(30));
      await rollMeBack.prepare(8n);
      const unprepared = db.begin();
      await unprepared.put(key(4), num(40));
      await db.close(); // rolls back the unprepared one; prepared ones stay in the engine
      expect(unprepared.state).toBe('rolled-back');
      await engine.close();
    }
    const engine = await KvStore.open(dir);
    const db = new TransactionDb(engine);
    cleanups.push(async () => {
      await db.close();
      await engine.close();
    });
    const participant = db.participant();
    expect([...(await participant.recoverPrepared())].sort()).toEqual([7n, 8n]);
    const recovered = db.prepared(7n)!;
    expect(recovered.recovered).toBe(true);
    expect(db.status().transactions.find((s) => s.xid === 7n)?.locks.map((l) => l.mode)).toEqual(['exclusive', 'exclusive']);
    expect(read(db, key(2))).toBe(2);
    const writer = db.begin();
    const wait = writer.put(key(1), num(99));
    await settle();
    expect(writer.waitingForLock).toBe(true); // the recovered transaction's lock holds it back
    await participant.commitPrepared(7n);
    await wait;
    await writer.rollback();
    expect(read(db, key(1))).toBe(10);
    await participant.rollbackPrepared(8n);
    expect([read(db, key(1)), read(db, key(2)), read(db, key(3)), read(db, key(4))]).toEqual([10, undefined, undefined, undefined]);
    expect(await participant.recoverPrepared()).toEqual([]);
    await participant.checkpoint!();
  });

  it('coordinator positions encode to 16 sortable bytes; bad input is a typed error', () => {
    const a = encodeCoordinatorPosition({ logNumber: 1, offset: 2 ** 40 });
    const b = encodeCoordinatorPosition({ logNumber: 2, offset: 0 });
    expect(a).toHaveLength(16);
    expect(Buffer.compare(a, b)).toBeLessThan(0);
    expect(decodeCoordinatorPosition(a)).toEqual({ logNumber: 1, offset: 2 ** 40 });
    expect(() => decodeCoordinatorPosition(new Uint8Array(15))).toThrow(CoordinatorPositionError);
    expect(() => encodeCoordinatorPosition({ logNumber: -1, offset: 0 })).toThrow(CoordinatorPositionError);
    expect(() => decodeCoordinatorPosition(Uint8Array.from([255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(CoordinatorPositionError);
  });
});

describe('engine failures at commit', () => {
  it('a batch the engine refuses rolls the transaction back and releases its locks', async () => {
    const { db, engine } = await openSimDb();
    cleanups.push(() => engine.close());
    const t = db.begin();
    await t.put(key(1), new Uint8Array(17 * 1024 * 1024)); // over the engine's value limit
    await expect(t.commit()).rejects.toThrow();
    expect(t.state).toBe('rolled-back');
    expect(db.lockManager.status().heldLocks).toBe(0);
    expect(read(db, key(1))).toBeUndefined();
  });

  it('a failed fsync after the engine applied the batch: committed (visible), CommitNotDurableError', async () => {
    const { db, engine, fs } = await openSimDb({ syncCommit: true });
    cleanups.push(() => engine.close().catch(() => undefined));
    fs.injectFault({ operations: ['datasync', 'sync'], code: 'EIO', persistent: true });
    const t = db.begin();
    await t.put(key(1), num(1));
    const error = await t.commit().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CommitNotDurableError);
    expect((error as CommitNotDurableError).errno).toBe(1180);
    expect(t.state).toBe('committed');
    expect(read(db, key(1))).toBe(1);
    expect(db.lockManager.status().heldLocks).toBe(0);
  });
});

describe('engine failures under a coordinator', () => {
  it('a branch whose commitOrdered fails (the engine log failed) still ends committed on commit() and releases its locks', async () => {
    const { db, engine, fs } = await openSimDb();
    cleanups.push(() => engine.close().catch(() => undefined));
    const t = db.begin();
    await t.put(key(1), num(1));
    // Fail the engine's log: a synced write whose fsync fails stops engine writes until reopen.
    fs.injectFault({ operations: ['datasync', 'sync'], code: 'EIO', persistent: true });
    await expect(engine.write([{ type: 'put', key: key(2), value: num(2) }], { sync: true })).rejects.toThrow(/EIO/);
    const branch = t.branch();
    expect(() => { branch.commitOrdered({ logNumber: 1, offset: 100 }); }).toThrow(/EIO/);
    await branch.commit?.(); // what the coordinator does after a delayed error
    expect(t.state).toBe('committed');
    expect(db.lockManager.status().heldLocks).toBe(0);
  });
});

describe('engine failures in two-phase commit', () => {
  it('a prepare whose fsync fails leaves the transaction prepared in the engine: txn says so and keeps its locks', async () => {
    const { db, engine, fs } = await openSimDb({ syncCommit: true });
    cleanups.push(() => engine.close().catch(() => undefined));
    const t = db.begin();
    await t.put(key(1), num(1));
    fs.injectFault({ operations: ['datasync', 'sync'], code: 'EIO', nth: 1 });
    await expect(t.prepare(31n)).rejects.toThrow(/EIO/);
    expect(engine.recoverPrepared().map((p) => p.xid)).toEqual([31n]); // registered before the log failed
    expect(t.state).toBe('prepared');
    // The engine's log stays failed until it reopens: rollback is refused and the transaction stays prepared and locked.
    await expect(t.rollback()).rejects.toThrow(/EIO/);
    expect(t.state).toBe('prepared');
    expect(db.lockManager.heldRanges(t.id)).toHaveLength(1);
    expect(db.prepared(31n)).toBe(t);
  });
});
