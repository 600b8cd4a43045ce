import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeFileSystem, SimFileSystem, type FileSystem } from '@lockstep/base';
import { forEachSeed } from '@lockstep/base/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { XidLogCoordinator, XidLogCorruptError, type CommitResult } from '../src/index.js';
import { FileEngine } from './file-engine.js';
import { settle } from './helpers.js';

async function openAll(fs: FileSystem, root: string) {
  const a = new FileEngine(fs, `${root}/engine-a`, 'a');
  const b = new FileEngine(fs, `${root}/engine-b`, 'b');
  await a.open();
  await b.open();
  const tc = await XidLogCoordinator.open({ fs, dir: `${root}/tc`, participants: [a, b] });
  return { a, b, tc };
}

async function makeSim(): Promise<SimFileSystem> {
  const fs = new SimFileSystem({ seed: 1 });
  await fs.mkdir('/db');
  return fs;
}

describe('XidLogCoordinator', () => {
  it('commits a group of two-participant transactions with one log datasync', async () => {
    const fs = await makeSim();
    const { a, b, tc } = await openAll(fs, '/db');
    const syncsBefore = fs.stats.datasync;
    // Hold the first group's fsync so the others gather into the second group.
    fs.pauseSyncs();
    const results = Array.from({ length: 10 }, (_, i) => {
      const xid = BigInt(i + 1);
      return tc.logAndOrder({ xid, branches: [a.branch(xid), b.branch(xid)] });
    });
    for (let i = 0; i < 20 && fs.pausedSyncCount < 20; i++) {
      await settle();
    }
    expect(fs.pausedSyncCount).toBe(20); // every prepare waits (2 engines x 10)
    fs.resumeSyncs();
    const outcomes = await Promise.all(results);
    expect(outcomes.every((r) => r.status === 'committed')).toBe(true);
    expect([...a.committed].sort()).toEqual([...b.committed].sort());
    expect(a.committed.size).toBe(10);
    const stats = tc.stats();
    expect(stats.commits).toBe(10);
    // 20 prepare syncs, plus one log datasync per group.
    expect(fs.stats.datasync - syncsBefore).toBe(20 + stats.groups);
    expect(stats.groups).toBeLessThanOrEqual(2);
    await tc.close();
  });

  it('rolls back every branch when one prepare fails, and reports the cause', async () => {
    const fs = await makeSim();
    const { a, b, tc } = await openAll(fs, '/db');
    fs.injectFault({ operations: ['datasync'], path: 'engine-b', code: 'EIO' });
    const result: CommitResult = await tc.logAndOrder({ xid: 7n, branches: [a.branch(7n), b.branch(7n)] });
    expect(result.status).toBe('failed');
    expect((result as { error: Error }).error.message).toMatch(/EIO/);
    expect(a.committed.has(7n)).toBe(false);
    expect(await a.recoverPrepared()).toEqual([]);
    const ok = await tc.logAndOrder({ xid: 8n, branches: [a.branch(8n), b.branch(8n)] });
    expect(ok.status).toBe('committed');
  });

  it('fails the group and refuses later commits when the log datasync fails', async () => {
    const fs = await makeSim();
    const { a, b, tc } = await openAll(fs, '/db');
    fs.injectFault({ operations: ['datasync'], path: 'xid-log', code: 'EIO' });
    const result = await tc.logAndOrder({ xid: 1n, branches: [a.branch(1n), b.branch(1n)] });
    expect(result.status).toBe('failed');
    expect((result as { error: { errno?: number } }).error.errno).toBe(1026);
    expect(a.committed.size + b.committed.size).toBe(0);
    const refused = await tc.logAndOrder({ xid: 2n, branches: [a.branch(2n), b.branch(2n)] });
    expect(refused.status).toBe('failed');
  });

  it('recovers after a crash at any point: acknowledged commits survive, nothing is half-committed', async () => {
    const seen = { acknowledged: 0, redoneFromLog: 0, rolledBack: 0 };
    await forEachSeed(60, async (seed) => {
      const fs = new SimFileSystem({ seed });
      await fs.mkdir('/db');
      let { a, b, tc } = await openAll(fs, '/db');
      const acknowledged = new Set<bigint>();
      const n = 12;
      const pending = Array.from({ length: n }, (_, i) => {
        const xid = BigInt(i + 1);
        return tc.logAndOrder({ xid, branches: [a.branch(xid), b.branch(xid)] }).then((r) => {
          if (r.status === 'committed') acknowledged.add(xid);
        });
      });
      // Crash after a seed-chosen number of scheduling turns.
      const turns = seed % 9;
      for (let i = 0; i < turns; i++) await settle();
      fs.crash({ unsynced: seed % 2 === 0 ? 'drop' : 'torn' });
      await Promise.allSettled(pending);
      ({ a, b, tc } = await openAll(fs, '/db'));
      for (const xid of acknowledged) {
        expect(a.committed.has(xid), `xid ${xid} acknowledged but lost in a`).toBe(true);
        expect(b.committed.has(xid), `xid ${xid} acknowledged but lost in b`).toBe(true);
      }
      for (let i = 1; i <= n; i++) {
        const xid = BigInt(i);
        expect(a.committed.has(xid), `xid ${xid} half-committed`).toBe(b.committed.has(xid));
      }
      expect(await a.recoverPrepared()).toEqual([]);
      expect(await b.recoverPrepared()).toEqual([]);
      seen.acknowledged += acknowledged.size;
      seen.redoneFromLog += tc.recovery.committed;
      seen.rolledBack += tc.recovery.rolledBack;
      await tc.close();
    });
    // The seeds must reach every kind of crash: after acknowledgement (engine commit lost,
    // redone from the XID log) and before the log record was durable (rolled back).
    expect(seen.acknowledged).toBeGreaterThan(0);
    expect(seen.redoneFromLog).toBeGreaterThan(0);
    expect(seen.rolledBack).toBeGreaterThan(0);
  });

  it('checkpoints: a new log file, participants flushed, the old file removed', async () => {
    const fs = await makeSim();
    const { a, b, tc } = await openAll(fs, '/db');
    for (let i = 1; i <= 3; i++) {
      const xid = BigInt(i);
      await tc.logAndOrder({ xid, branches: [a.branch(xid), b.branch(xid)] });
    }
    const before = await fs.readdir('/db/tc');
    await tc.checkpoint();
    const after = await fs.readdir('/db/tc');
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
    // The engines' commit records are durable now: a crash loses nothing and needs no log.
    fs.crash();
    const reopened = await openAll(fs, '/db');
    expect(reopened.tc.recovery.committed).toBe(0);
    expect([...reopened.a.committed].sort()).toEqual([1n, 2n, 3n]);
  });

  it('reports a corrupt older log file with its name and offset', async () => {
    const fs = await makeSim();
    await fs.mkdir('/db/tc');
    await fs.writeFile('/db/tc/xid-log.000001', new Uint8Array([0x4c, 0x53, 0x58, 0x4c, 1, 0, 0, 0, 9, 0, 0, 0, 1, 2, 3, 4, 1, 1, 0, 0, 0]));
    await fs.writeFile('/db/tc/xid-log.000002', new Uint8Array([0x4c, 0x53, 0x58, 0x4c, 1, 0, 0, 0]));
    const error: unknown = await openAll(fs, '/db').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XidLogCorruptError);
    expect((error as XidLogCorruptError).file).toBe('xid-log.000001');
    expect((error as XidLogCorruptError).offset).toBe(8);
  });

  describe('on the real file system', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-tc-'));
    afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

    it('commits, reopens and recovers prepared transactions by the log', async () => {
      const fs = new NodeFileSystem();
      const first = await openAll(fs, dir);
      const results = await Promise.all(
        [1n, 2n, 3n, 4n].map((xid) => first.tc.logAndOrder({ xid, branches: [first.a.branch(xid), first.b.branch(xid)] })),
      );
      expect(results.every((r) => r.status === 'committed')).toBe(true);
      // Prepare xid 5 in both engines without committing it (as if the process died there).
      await first.a.branch(5n).prepare!(5n);
      await first.b.branch(5n).prepare!(5n);
      await first.tc.close();
      const second = await openAll(fs, dir);
      expect(second.tc.recovery.rolledBack).toBe(2);
      expect([...second.a.committed].sort()).toEqual([1n, 2n, 3n, 4n]);
      expect(second.a.committed.has(5n)).toBe(false);
      await second.tc.close();
    });
  });
});

describe('XidLogCoordinator checkpoints under load', () => {
  it('never loses an acknowledged commit when a checkpoint runs between commits and a crash follows', async () => {
    await forEachSeed(40, async (seed) => {
      const fs = new SimFileSystem({ seed });
      await fs.mkdir('/db');
      let { a, b, tc } = await openAll(fs, '/db');
      const acknowledged = new Set<bigint>();
      const commits = Array.from({ length: 16 }, (_, i) => {
        const xid = BigInt(i + 1);
        return tc.logAndOrder({ xid, branches: [a.branch(xid), b.branch(xid)] }).then((r) => {
          if (r.status === 'committed') acknowledged.add(xid);
        });
      });
      // Start the checkpoint after a seed-chosen number of turns, with commits in flight.
      for (let i = 0; i < seed % 6; i++) await settle();
      const checkpoint = tc.checkpoint();
      await Promise.all(commits);
      await checkpoint;
      expect(acknowledged.size).toBe(16);
      // Only one log file is left, and a crash now must lose nothing.
      expect(await fs.readdir('/db/tc')).toHaveLength(1);
      fs.crash({ unsynced: 'torn' });
      ({ a, b, tc } = await openAll(fs, '/db'));
      for (const xid of acknowledged) {
        expect(a.committed.has(xid) && b.committed.has(xid), `xid ${xid} lost (seed ${seed})`).toBe(true);
      }
      await tc.close();
    });
  });
});
