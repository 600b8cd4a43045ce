import { SimFileSystem } from '@lockstep/base';
import { afterEach, describe, expect, it } from 'vitest';
import { KvBusyError, KvClosedError, KvInvalidArgumentError, KvStore, KvXidError } from '../src/index.js';
import { b, collect, del, put, s, tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function openSim(fs = new SimFileSystem({ seed: 1 })): Promise<{ fs: SimFileSystem; db: KvStore }> {
  const db = await KvStore.open('/db', { fs });
  cleanups.push(() => db.close());
  return { fs, db };
}

describe('KvStore basics', () => {
  it('writes, reads, overwrites and deletes atomically with increasing sequences', async () => {
    const { db } = await openSim();
    const first = await db.write([put('a', '1'), put('b', '2')]);
    const second = await db.write([put('a', '3'), del('b'), put('c', '4')]);
    expect(second).toBe(first + 1n);
    expect(s(db.get(b('a')))).toBe('3');
    expect(db.get(b('b'))).toBeUndefined();
    expect(db.getEntry(b('c'))).toEqual({ value: b('4'), sequence: second });
    expect(db.stats().liveKeys).toBe(2);
  });

  it('a later op on the same key in one batch wins', async () => {
    const { db } = await openSim();
    await db.write([put('k', '1'), put('k', '2'), del('j'), put('j', '3')]);
    expect(s(db.get(b('k')))).toBe('2');
    expect(s(db.get(b('j')))).toBe('3');
  });

  it('snapshots see the state they were taken at and release their versions', async () => {
    const { db } = await openSim();
    await db.write([put('a', '1')]);
    const snap = db.snapshot();
    await db.write([put('a', '2'), put('b', '1')]);
    await db.write([del('a')]);
    expect(s(db.get(b('a'), { snapshot: snap }))).toBe('1');
    expect(db.get(b('b'), { snapshot: snap })).toBeUndefined();
    expect(db.get(b('a'))).toBeUndefined();
    // The tombstone stays visible to conflict checks while an older snapshot exists.
    expect(db.getEntry(b('a'))?.value).toBeUndefined();
    expect(db.getEntry(b('a'))?.sequence).toBe(3n);
    expect(db.stats().versionsKept).toBe(3); // a@1 (for snap), a tombstone, b
    snap.release();
    snap.release();
    expect(db.stats().versionsKept).toBe(1);
    expect(db.getEntry(b('a'))).toBeUndefined();
    expect(() => db.get(b('a'), { snapshot: snap })).toThrow(KvClosedError);
  });

  it('accounts memory exactly across snapshot, overwrite and release cycles', async () => {
    const { db } = await openSim();
    await db.write([put('key', 'value-1')]);
    const settled = db.stats().memoryBytes;
    for (let i = 0; i < 5; i++) {
      const snapshot = db.snapshot();
      await db.write([put('key', 'value-1')]);
      expect(db.stats().memoryBytes).toBeGreaterThan(settled); // the old version is kept and counted
      snapshot.release();
      expect(db.stats().memoryBytes).toBe(settled);
      expect(db.stats().versionsKept).toBe(1);
    }
  });

  it('iterates with bounds in both directions and seeks', async () => {
    const { db } = await openSim();
    await db.write(['a', 'b', 'c', 'd', 'e'].map((k) => put(k, k.toUpperCase())));
    expect(collect(db.iterator()).map(([k]) => k)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(collect(db.iterator({ gt: b('a'), lte: b('d') })).map(([k]) => k)).toEqual(['b', 'c', 'd']);
    expect(collect(db.iterator({ gte: b('b'), lt: b('d'), reverse: true })).map(([k]) => k)).toEqual(['c', 'b']);
    const it = db.iterator({ gte: b('b') });
    it.seek(b('a'));
    expect(s(it.next()?.key)).toBe('b');
    it.seek(b('cc'));
    expect(s(it.next()?.key)).toBe('d');
    const rev = db.iterator({ reverse: true, lt: b('e') });
    rev.seek(b('cz'));
    expect(s(rev.next()?.key)).toBe('c');
    it.close();
    rev.close();
    expect(() => it.next()).toThrow(KvClosedError);
  });

  it('an iterator reads one snapshot; refresh moves it to the newest state after the last key', async () => {
    const { db } = await openSim();
    await db.write([put('a', '1'), put('c', '1'), put('e', '1')]);
    const it = db.iterator();
    expect(s(it.next()?.key)).toBe('a');
    await db.write([put('b', '2'), del('c'), put('d', '2')]);
    expect(s(it.next()?.key)).toBe('c'); // old snapshot
    it.refresh();
    expect(collect(it)).toEqual([
      ['d', '2'],
      ['e', '1'],
    ]);
    await db.write([put('f', '3')]);
    expect(it.next()).toBeUndefined();
    it.refresh();
    expect(s(it.next()?.key)).toBe('f');
    it.close();
    expect(db.stats().iteratorsOpen).toBe(0);
    const snap = db.snapshot();
    const pinned = db.iterator({ snapshot: snap });
    expect(() => { pinned.refresh(); }).toThrow(KvInvalidArgumentError);
    pinned.close();
    snap.release();
  });

  it('persists across reopen, including prepared transactions and the coordinator position', async () => {
    const { fs, db } = await openSim();
    await db.write([put('a', '1')], { sync: true, coordinatorPosition: b('pos-1') });
    await db.prepare(7n, [put('p', 'x')], { sync: true });
    await db.prepare(8n, [put('q', 'y')], { sync: true });
    db.commitPreparedOrdered(8n, { coordinatorPosition: b('pos-2') });
    await expect(db.prepare(7n, [])).rejects.toThrow(KvXidError);
    expect(db.get(b('p'))).toBeUndefined();
    expect(s(db.get(b('q')))).toBe('y');
    await db.close();
    const again = await KvStore.open('/db', { fs });
    cleanups.push(() => again.close());
    expect(s(again.get(b('a')))).toBe('1');
    expect(s(again.get(b('q')))).toBe('y');
    expect(again.recoverPrepared()).toEqual([{ xid: 7n, ops: [put('p', 'x')] }]);
    expect(s(again.durableCoordinatorPosition())).toBe('pos-2');
    expect(again.stats().recovery.preparedFound).toBe(1);
    await again.rollbackPrepared(7n, { sync: true });
    expect(again.recoverPrepared()).toEqual([]);
    await expect(again.commitPrepared(7n)).rejects.toThrow(KvXidError);
  });

  it('refuses a second open of the same directory and use after close', async () => {
    const { fs, db } = await openSim();
    await expect(KvStore.open('/db', { fs })).rejects.toThrow(KvBusyError);
    await db.close();
    await db.close();
    expect(() => {
      db.get(b('a'));
    }).toThrow(KvClosedError);
    await expect(db.write([put('a', '1')])).rejects.toThrow(KvClosedError);
  });

  it('rejects bad input with typed errors before applying anything', async () => {
    const { db } = await openSim();
    await expect(db.write([put('a', '1'), { type: 'put', key: 'x' as unknown as Uint8Array, value: b('1') }])).rejects.toThrow(KvInvalidArgumentError);
    expect(db.get(b('a'))).toBeUndefined();
    expect(() => {
      db.get('a' as unknown as Uint8Array);
    }).toThrow(KvInvalidArgumentError);
  });

  it('works on the real file system', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const db = await KvStore.open(dir);
    await db.write([put('a', '1')], { sync: true });
    await db.checkpoint();
    await db.write([put('b', '2')], { sync: true });
    await db.close();
    const again = await KvStore.open(dir);
    expect(collect(again.iterator())).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    await again.close();
  });
});
