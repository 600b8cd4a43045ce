import { setImmediate as nextTurn } from 'node:timers/promises';
import { SimFileSystem } from '@lockstep/base';
import { afterEach, describe, expect, it } from 'vitest';
import { KvBusyError, KvClosedError, KvInvalidArgumentError, KvIoError, KvStore } from '../src/index.js';
import { b, put, s } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function open(fs: SimFileSystem, options: Parameters<typeof KvStore.open>[1] = {}): Promise<KvStore> {
  const db = await KvStore.open('/db', { fs, ...options });
  cleanups.push(async () => {
    fs.resumeSyncs();
    await db.close();
  });
  return db;
}

describe('group commit', () => {
  it('64 concurrent synced writers share one fsync; writers arriving during it share the next', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    const db = await open(fs);
    const before = db.stats().fsyncs;
    fs.pauseSyncs();
    const first = Array.from({ length: 64 }, (_, i) => db.write([put(`a${i}`, 'v')], { sync: true }));
    while (fs.pausedSyncCount === 0) await nextTurn();
    // These arrive while the first group's fsync is in flight: they form the second group.
    const second = Array.from({ length: 64 }, (_, i) => db.write([put(`b${i}`, 'v')], { sync: true }));
    fs.resumeSyncs();
    await Promise.all([...first, ...second]);
    expect(db.stats().fsyncs - before).toBe(2);
  });

  it('a synced write resolves only after its fsync; an unsynced one does not wait for it', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    const db = await open(fs);
    fs.pauseSyncs();
    let synced = false;
    const pending = db.write([put('a', '1')], { sync: true }).then(() => (synced = true));
    await db.write([put('b', '2')]);
    while (fs.pausedSyncCount === 0) await nextTurn();
    expect(synced).toBe(false);
    expect(s(db.get(b('a')))).toBe('1'); // visible before durable (like InnoDB)
    fs.resumeSyncs();
    await pending;
    expect(synced).toBe(true);
  });
});

describe('named bounds', () => {
  it('maxQueuedWriters: one writer too many is KvBusyError and applies nothing', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    const db = await open(fs, { maxQueuedWriters: 4 });
    fs.pauseSyncs();
    const queued = Array.from({ length: 4 }, (_, i) => db.write([put(`k${i}`, 'v')], { sync: true }));
    await expect(db.write([put('over', 'v')], { sync: true })).rejects.toThrow(KvBusyError);
    expect(db.get(b('over'))).toBeUndefined();
    fs.resumeSyncs();
    await Promise.all(queued);
    await db.write([put('after', 'v')], { sync: true });
  });

  it('maxBufferedLogBytes: a write waits for the log to drain instead of buffering more', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    const db = await open(fs, { maxBufferedLogBytes: 2048 });
    for (let i = 0; i < 40; i++) db.writeOrdered([put(`k${i}`, 'x'.repeat(100))]); // writeOrdered cannot wait
    expect(db.stats().bufferedLogBytes).toBeGreaterThan(2048);
    const before = db.stats().lastSequence;
    const write = db.write([put('late', '1')]);
    expect(db.stats().lastSequence).toBe(before); // not applied yet: waiting for the drain
    await write;
    expect(s(db.get(b('late')))).toBe('1');
    expect(db.stats().bufferedLogBytes).toBe(0);
  });

  it('maxKeyBytes, maxValueBytes and maxBatchBytes refuse oversized input before applying', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    const db = await open(fs, { maxKeyBytes: 4, maxValueBytes: 8, maxBatchBytes: 20 });
    await expect(db.write([put('12345', 'v')])).rejects.toThrow(/maxKeyBytes 4/);
    await expect(db.write([put('k', '123456789')])).rejects.toThrow(/maxValueBytes 8/);
    await expect(db.write([put('a', '1'), put('k1', '12345678'), put('k2', '12345678')])).rejects.toThrow(KvInvalidArgumentError);
    expect(() => db.writeOrdered([put('12345', 'v')])).toThrow(KvInvalidArgumentError);
    expect(db.get(b('a'))).toBeUndefined();
    expect(db.stats().lastSequence).toBe(0n);
  });
});

describe('disk full', () => {
  it('ENOSPC gives KvIoError (errno 1021); reads keep working; writes resume when space returns; nothing acknowledged is lost', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    const db = await open(fs);
    await db.write([put('a', '1')], { sync: true });
    fs.capacityBytes = fs.usedBytes() + 10;
    const error = await db.write([put('b', 'x'.repeat(100))], { sync: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KvIoError);
    expect(error).toMatchObject({ code: 'KV_IO_ERROR', errno: 1021, fsCode: 'ENOSPC' });
    expect(db.stats().writeFailure).toMatch(/ENOSPC/);
    expect(s(db.get(b('a')))).toBe('1');
    // The failed batch was applied in memory before the log refused it; the engine keeps it
    // buffered and writes it once space returns (outcome of a failed write: unknown, like MySQL's).
    expect(() => db.writeOrdered([put('c', '1')])).toThrow(KvIoError);
    await expect(db.write([put('c', '1')])).rejects.toThrow(KvIoError); // still full: retried and refused
    fs.capacityBytes = Number.POSITIVE_INFINITY;
    await db.write([put('c', '1')], { sync: true });
    expect(db.stats().writeFailure).toBeUndefined();
    await db.close();
    fs.crash({ unsynced: 'drop' });
    const again = await open(fs);
    expect(s(again.get(b('a')))).toBe('1');
    expect(s(again.get(b('b')))).toBe('x'.repeat(100));
    expect(s(again.get(b('c')))).toBe('1');
  });

  it('a failed fsync is permanent until reopen (its effect on the page cache is unknown)', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    const db = await open(fs);
    fs.injectFault({ operations: ['datasync'], code: 'EIO' });
    await expect(db.write([put('a', '1')], { sync: true })).rejects.toMatchObject({ code: 'KV_IO_ERROR', errno: 1026 });
    await expect(db.write([put('b', '1')])).rejects.toThrow(KvIoError);
    await expect(db.flush({ sync: true })).rejects.toThrow(KvIoError);
    expect(s(db.get(b('a')))).toBe('1');
    await db.close();
    await expect(db.write([put('c', '1')])).rejects.toThrow(KvClosedError);
  });
});
