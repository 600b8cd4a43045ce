import { SimFileSystem } from '@lockstep/base';
import { afterEach, describe, expect, it } from 'vitest';
import { KvCorruptionError, KvStore } from '../src/index.js';
import { encodeBatch, encodeCommitPrepared, encodePrepare, encodeRollbackPrepared, RecordType } from '../src/internal/record-codec.js';
import { b, collect, put, s } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function open(fs: SimFileSystem, options: Parameters<typeof KvStore.open>[1] = {}): Promise<KvStore> {
  const db = await KvStore.open('/db', { fs, ...options });
  cleanups.push(() => db.close());
  return db;
}

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('record formats (golden bytes, FORMAT.md)', () => {
  it('encodes a batch, a prepare, a commit and a rollback exactly as documented', () => {
    // payload length 20 | CRC-32 | type 2 | seq 5 (u64) | flags 1 + position "p" | 2 ops: put "k"="v", delete "d"
    expect(toHex(encodeBatch(5, [put('k', 'v'), { type: 'delete', key: b('d') }], b('p')))).toBe(
      '14000000' + '75484427' + '02' + '0500000000000000' + '01' + '0170' + '02' + '01016b0176' + '020164',
    );
    // payload length 14 | CRC-32 | type 3 | XID 0x102 (u64) | 1 op: put "a"="b"
    expect(toHex(encodePrepare(RecordType.Prepare, 0x0102n, [put('a', 'b')]))).toBe('0e000000' + 'e4796447' + '03' + '0201000000000000' + '01' + '0101610162');
    expect(toHex(encodeCommitPrepared(7n, 9, undefined).subarray(8))).toBe('04' + '0700000000000000' + '0900000000000000' + '00');
    expect(toHex(encodeRollbackPrepared(7n).subarray(8))).toBe('05' + '0700000000000000');
  });

  it('the checksum is CRC-32 over type and payload', async () => {
    const { crc32 } = await import('@lockstep/base');
    const record = encodeRollbackPrepared(7n);
    const stored = Buffer.from(record).readUInt32LE(4);
    expect(stored).toBe(crc32(record.subarray(8)));
  });
});

describe('recovery from damaged files', () => {
  async function twoBatches(fs: SimFileSystem): Promise<void> {
    const db = await KvStore.open('/db', { fs });
    await db.write([put('a', '1')], { sync: true });
    await db.write([put('b', '2')], { sync: true });
    await db.close();
  }

  it('discards a torn tail, reports it, truncates the file and keeps working', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    await twoBatches(fs);
    const log = '/db/log-000001.wal';
    const bytes = await fs.readFile(log);
    await fs.writeFile(log, bytes.subarray(0, bytes.length - 3));
    const db = await open(fs);
    expect(collect(db.iterator())).toEqual([['a', '1']]);
    const [discarded] = db.stats().recovery.discarded;
    expect(discarded).toMatchObject({ file: log, bytes: bytes.length - 3 - discarded!.offset });
    expect(discarded!.reason).toMatch(/truncated record/);
    expect((await fs.readFile(log)).length).toBe(discarded!.offset);
    await db.write([put('c', '3')], { sync: true });
    await db.close();
    const again = await open(fs);
    expect(collect(again.iterator()).map(([k]) => k)).toEqual(['a', 'c']);
    expect(again.stats().recovery.discarded).toEqual([]);
  });

  it('a flipped byte in the last record is a discarded tail with a checksum reason', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    await twoBatches(fs);
    const log = '/db/log-000001.wal';
    const bytes = (await fs.readFile(log)).slice();
    bytes[bytes.length - 1]! ^= 0xff;
    await fs.writeFile(log, bytes);
    const db = await open(fs);
    expect(db.get(b('b'))).toBeUndefined();
    expect(db.stats().recovery.discarded[0]!.reason).toMatch(/checksum mismatch/);
  });

  it('damage followed by intact records in a later log is corruption naming file and offset', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    await twoBatches(fs);
    const db = await KvStore.open('/db', { fs });
    await db.write([put('c', '3')], { sync: true }); // goes to log 2
    await db.close();
    const log = '/db/log-000001.wal';
    const bytes = (await fs.readFile(log)).slice();
    bytes[bytes.length - 1]! ^= 0xff;
    await fs.writeFile(log, bytes);
    const error = await KvStore.open('/db', { fs }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KvCorruptionError);
    expect(error).toMatchObject({ code: 'KV_CORRUPTION', file: log });
    expect((error as KvCorruptionError).offset).toBeGreaterThan(0);
  });

  it('a damaged checkpoint or manifest is corruption, never a silent loss', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    const db = await KvStore.open('/db', { fs });
    await db.write([put('a', '1')]);
    await db.checkpoint();
    await db.close();
    const names = await fs.readdir('/db');
    const checkpoint = names.find((n) => n.endsWith('.ckpt'))!;
    const good = await fs.readFile(`/db/${checkpoint}`);
    const bad = good.slice();
    bad[20]! ^= 1;
    await fs.writeFile(`/db/${checkpoint}`, bad);
    await expect(KvStore.open('/db', { fs })).rejects.toMatchObject({ code: 'KV_CORRUPTION', file: `/db/${checkpoint}`, offset: 0 });
    await fs.writeFile(`/db/${checkpoint}`, good.subarray(0, good.length - 5));
    await expect(KvStore.open('/db', { fs })).rejects.toThrow(/truncated record/);
    await fs.writeFile(`/db/${checkpoint}`, good);
    const manifest = (await fs.readFile('/db/MANIFEST')).slice();
    manifest[10]! ^= 1;
    await fs.writeFile('/db/MANIFEST', manifest);
    await expect(KvStore.open('/db', { fs })).rejects.toMatchObject({ code: 'KV_CORRUPTION', file: '/db/MANIFEST' });
    await fs.unlink('/db/MANIFEST');
    await expect(KvStore.open('/db', { fs })).rejects.toThrow(/MANIFEST is corrupt at offset 0: missing/);
  });

  it('an intact record with impossible content (a sequence gap) is corruption', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    await twoBatches(fs);
    const handle = await fs.open('/db/log-000001.wal');
    await handle.append(encodeBatch(9, [put('z', 'z')], undefined));
    await handle.close();
    await expect(KvStore.open('/db', { fs })).rejects.toThrow(/batch sequence 9 does not follow 2/);
  });
});

describe('checkpoints', () => {
  it('a background checkpoint past the threshold replaces old logs; reopen loads it', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    const db = await open(fs, { logFileBytes: 1024, checkpointAfterLogBytes: 4096 });
    for (let i = 0; i < 200; i++) await db.write([put(`k${i % 50}`, `v${i}`)]);
    await db.flush({ sync: true });
    while (db.stats().checkpointRunning) await new Promise((resolve) => setImmediate(resolve));
    const stats = db.stats();
    expect(stats.checkpoints).toBeGreaterThan(0);
    expect(stats.lastCheckpointError).toBeUndefined();
    const names = await fs.readdir('/db');
    expect(names.filter((n) => n.endsWith('.ckpt'))).toHaveLength(1);
    expect(names.filter((n) => n.endsWith('.wal')).length).toBe(stats.logFiles);
    expect(stats.logFiles).toBeLessThan(8);
    await db.close();
    const again = await open(fs);
    expect(again.stats().recovery.checkpointFile).toMatch(/^checkpoint-\d+\.ckpt$/);
    expect(s(again.get(b('k49')))).toBe('v199');
    expect(again.stats().liveKeys).toBe(50);
  });

  it('writers are not blocked while a checkpoint runs (each chunk is one bounded synchronous step)', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    const db = await open(fs, { checkpointChunkBytes: 128 });
    const ops = Array.from({ length: 3000 }, (_, i) => put(`key-${String(i).padStart(5, '0')}`, 'x'.repeat(20)));
    await db.write(ops);
    const checkpoint = db.checkpoint();
    expect(db.stats().checkpointRunning).toBe(true);
    await db.write([put('during', '1')]);
    db.writeOrdered([put('during-2', '1')]);
    expect(db.stats().checkpointRunning).toBe(true);
    await checkpoint;
    await db.close();
    const again = await open(fs);
    expect(s(again.get(b('during')))).toBe('1');
    expect(s(again.get(b('key-02999')))).toBe('x'.repeat(20));
  });

  it('a checkpoint makes ordered (unsynced) commits and their coordinator position durable', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    const db = await KvStore.open('/db', { fs });
    db.writeOrdered([put('a', '1')], { coordinatorPosition: b('binlog.000001:100') });
    await db.prepare(5n, [put('p', '1')], { sync: true });
    db.writeOrdered([put('b', '2')], { coordinatorPosition: b('binlog.000001:200') });
    // The synced prepare covered the first ordered write (log order), not the second.
    expect(s(db.durableCoordinatorPosition())).toBe('binlog.000001:100');
    await db.checkpoint();
    expect(s(db.durableCoordinatorPosition())).toBe('binlog.000001:200');
    fs.crash({ unsynced: 'drop' });
    await db.close();
    const again = await open(fs);
    expect(collect(again.iterator())).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(again.recoverPrepared().map((p) => p.xid)).toEqual([5n]);
    expect(s(again.durableCoordinatorPosition())).toBe('binlog.000001:200');
  });
});
