import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSystemError, ManualClock, NodeFileSystem, SimFileSystem, type FileSystem } from '../src/index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

// ---- the simulation matches the real file system --------------------------------------

type Op =
  | { op: 'writeFile'; path: string; data: number[] }
  | { op: 'write'; path: string; position: number; data: number[] }
  | { op: 'append'; path: string; data: number[] }
  | { op: 'truncate'; path: string; length: number }
  | { op: 'readFile'; path: string }
  | { op: 'read'; path: string; position: number; length: number }
  | { op: 'unlink'; path: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'mkdir'; path: string }
  | { op: 'readdir'; path: string }
  | { op: 'stat'; path: string }
  | { op: 'exists'; path: string }
  | { op: 'rm'; path: string; recursive: boolean; force: boolean };

const names = fc.constantFrom('a', 'b', 'd', 'd/a', 'd/e', 'd/e/f', 'a/x');
const data = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('writeFile' as const), path: names, data }),
  fc.record({ op: fc.constant('write' as const), path: names, position: fc.integer({ min: 0, max: 60 }), data }),
  fc.record({ op: fc.constant('append' as const), path: names, data }),
  fc.record({ op: fc.constant('truncate' as const), path: names, length: fc.integer({ min: 0, max: 60 }) }),
  fc.record({ op: fc.constant('readFile' as const), path: names }),
  fc.record({ op: fc.constant('read' as const), path: names, position: fc.integer({ min: 0, max: 60 }), length: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ op: fc.constant('unlink' as const), path: names }),
  fc.record({ op: fc.constant('rename' as const), from: names, to: names }),
  fc.record({ op: fc.constant('mkdir' as const), path: names }),
  fc.record({ op: fc.constant('readdir' as const), path: fc.constantFrom('', 'd', 'd/e', 'a') }),
  fc.record({ op: fc.constant('stat' as const), path: names }),
  fc.record({ op: fc.constant('exists' as const), path: names }),
  fc.record({ op: fc.constant('rm' as const), path: names, recursive: fc.boolean(), force: fc.boolean() }),
);

async function apply(fs: FileSystem, root: string, op: Op): Promise<unknown> {
  const at = (p: string): string => (p === '' ? root : `${root}/${p}`);
  try {
    switch (op.op) {
      case 'writeFile':
        await fs.writeFile(at(op.path), Uint8Array.from(op.data));
        return 'ok';
      case 'write': {
        const handle = await fs.open(at(op.path), { create: true });
        try {
          await handle.write(Uint8Array.from(op.data), op.position);
        } finally {
          await handle.close();
        }
        return 'ok';
      }
      case 'append': {
        const handle = await fs.open(at(op.path), { create: true });
        try {
          return await handle.append(Uint8Array.from(op.data));
        } finally {
          await handle.close();
        }
      }
      case 'truncate': {
        const handle = await fs.open(at(op.path));
        try {
          await handle.truncate(op.length);
          return await handle.size();
        } finally {
          await handle.close();
        }
      }
      case 'readFile':
        return Array.from(await fs.readFile(at(op.path)));
      case 'read': {
        const handle = await fs.open(at(op.path), { readOnly: true });
        try {
          const buffer = new Uint8Array(op.length);
          const n = await handle.read(buffer, 0, op.length, op.position);
          return Array.from(buffer.subarray(0, n));
        } finally {
          await handle.close();
        }
      }
      case 'unlink':
        await fs.unlink(at(op.path));
        return 'ok';
      case 'rename':
        await fs.rename(at(op.from), at(op.to));
        return 'ok';
      case 'mkdir':
        await fs.mkdir(at(op.path));
        return 'ok';
      case 'readdir':
        return await fs.readdir(at(op.path));
      case 'stat': {
        const s = await fs.stat(at(op.path));
        return { size: s.isFile ? s.size : 0, isFile: s.isFile, isDirectory: s.isDirectory };
      }
      case 'exists':
        return await fs.exists(at(op.path));
      case 'rm':
        await fs.rm(at(op.path), { recursive: op.recursive, force: op.force });
        return 'ok';
    }
  } catch (error) {
    if (error instanceof FileSystemError) return { error: error.fsCode };
    throw error;
  }
}

describe('SimFileSystem matches NodeFileSystem with no faults', () => {
  const base = mkdtempSync(join(tmpdir(), 'lockstep-fs-'));
  afterAll(() => { rmSync(base, { recursive: true, force: true }); });
  let run = 0;

  it('on random operation sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
        const realRoot = join(base, `r${run++}`);
        const real = new NodeFileSystem();
        await real.mkdir(realRoot);
        const sim = new SimFileSystem();
        await sim.mkdir('/root');
        for (const op of ops) {
          const expected = await apply(real, realRoot, op);
          const actual = await apply(sim, '/root', op);
          expect(actual, JSON.stringify(op)).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ---- crashes ------------------------------------------------------------------------

async function freshFile(fs: SimFileSystem, path: string): Promise<void> {
  const handle = await fs.open(path, { create: true });
  await handle.sync();
  await handle.close();
  await fs.syncDir('/');
}

describe('SimFileSystem crash', () => {
  it('keeps exactly the synced prefix of a file', async () => {
    const fs = new SimFileSystem();
    await freshFile(fs, '/log');
    const handle = await fs.open('/log');
    await handle.append(bytes('durable;'));
    await handle.datasync();
    await handle.append(bytes('lost;'));
    expect(text(await fs.readFile('/log'))).toBe('durable;lost;');
    const report = fs.crash();
    expect(text(await fs.readFile('/log'))).toBe('durable;');
    expect(report.filesReverted).toBe(1);
  });

  it('loses a created name until its directory is synced, and keeps it after', async () => {
    const fs = new SimFileSystem();
    await fs.mkdir('/db');
    const handle = await fs.open('/db/new', { create: true });
    await handle.append(bytes('x'));
    await handle.sync();
    fs.crash();
    expect(await fs.exists('/db/new')).toBe(false);

    const again = await fs.open('/db/new', { create: true });
    await again.append(bytes('y'));
    await again.sync();
    await fs.syncDir('/db');
    fs.crash();
    expect(text(await fs.readFile('/db/new'))).toBe('y');
  });

  it('makes a rename durable only with the directory sync', async () => {
    const fs = new SimFileSystem();
    await freshFile(fs, '/tmp-manifest');
    await fs.rename('/tmp-manifest', '/manifest');
    fs.crash();
    expect(await fs.readdir('/')).toEqual(['tmp-manifest']);
    await fs.rename('/tmp-manifest', '/manifest');
    await fs.syncDir('/');
    fs.crash();
    expect(await fs.readdir('/')).toEqual(['manifest']);
  });

  it('tears: keeps a prefix of the unsynced appends, the last one cut at a random byte', async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const fs = new SimFileSystem({ seed });
      await freshFile(fs, '/wal');
      const handle = await fs.open('/wal');
      await handle.append(bytes('0123456789'));
      await handle.sync();
      const unsynced = ['abcdef', 'ghijkl', 'mnopqr'];
      for (const record of unsynced) await handle.append(bytes(record));
      const before = text(await fs.readFile('/wal'));
      fs.crash({ unsynced: 'torn' });
      const after = text(await fs.readFile('/wal'));
      expect(before.startsWith(after), `seed ${seed}`).toBe(true);
      expect(after.startsWith('0123456789'), `seed ${seed}`).toBe(true);
    }
  });

  it('tears differently for different seeds but identically for the same seed', async () => {
    const lengths = async (seed: number): Promise<number> => {
      const fs = new SimFileSystem({ seed });
      await freshFile(fs, '/wal');
      const handle = await fs.open('/wal');
      for (let i = 0; i < 10; i++) await handle.append(bytes('record-of-some-length;'));
      fs.crash({ unsynced: 'torn' });
      return (await fs.readFile('/wal')).length;
    };
    const seen = new Set<number>();
    for (let seed = 1; seed <= 20; seed++) seen.add(await lengths(seed));
    expect(seen.size).toBeGreaterThan(3);
    expect(await lengths(11)).toBe(await lengths(11));
  });

  it('invalidates handles opened before the crash and fails a sync caught by it', async () => {
    const fs = new SimFileSystem();
    await freshFile(fs, '/f');
    const handle = await fs.open('/f');
    await handle.append(bytes('abc'));
    fs.pauseSyncs();
    const syncing = handle.sync();
    fs.crash();
    await expect(syncing).rejects.toMatchObject({ fsCode: 'EIO' });
    await expect(handle.append(bytes('z'))).rejects.toMatchObject({ fsCode: 'EBADF' });
    expect((await fs.readFile('/f')).length).toBe(0);
  });
});

// ---- faults ---------------------------------------------------------------------------

describe('SimFileSystem faults', () => {
  it('fails exactly the Nth matching call, once, changing nothing', async () => {
    const fs = new SimFileSystem();
    await freshFile(fs, '/f');
    const handle = await fs.open('/f');
    fs.injectFault({ operations: ['append'], nth: 3, code: 'EIO' });
    await handle.append(bytes('1'));
    await handle.append(bytes('2'));
    await expect(handle.append(bytes('3'))).rejects.toMatchObject({ fsCode: 'EIO', operation: 'append', path: '/f' });
    await handle.append(bytes('4'));
    expect(text(await fs.readFile('/f'))).toBe('124');
  });

  it('keeps failing with persistent faults, and only on matching paths', async () => {
    const fs = new SimFileSystem();
    await freshFile(fs, '/wal-1');
    await freshFile(fs, '/data');
    const remove = fs.injectFault({ operations: ['sync', 'datasync'], path: 'wal', persistent: true, code: 'EIO' });
    const wal = await fs.open('/wal-1');
    const data = await fs.open('/data');
    await expect(wal.sync()).rejects.toBeInstanceOf(FileSystemError);
    await expect(wal.datasync()).rejects.toBeInstanceOf(FileSystemError);
    await data.sync();
    remove();
    await wal.sync();
    expect(fs.stats.sync).toBe(5); // 2 in freshFile, 3 here; failed calls count too
  });

  it('fails writes past the capacity with ENOSPC (MySQL errno 1021) and keeps what was stored', async () => {
    const fs = new SimFileSystem({ capacityBytes: 10 });
    await freshFile(fs, '/f');
    const handle = await fs.open('/f');
    await handle.append(bytes('12345678'));
    const error: unknown = await handle.append(bytes('abc')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileSystemError);
    expect((error as FileSystemError).errno).toBe(1021);
    expect((error as FileSystemError).message).toMatch(/ENOSPC/);
    expect(text(await fs.readFile('/f'))).toBe('12345678');
    await handle.append(bytes('ab'));
    expect(fs.usedBytes()).toBe(10);
    fs.capacityBytes = 100;
    await handle.append(bytes('more'));
  });

  it('holds syncs while paused and releases them on resume', async () => {
    const fs = new SimFileSystem();
    await freshFile(fs, '/f');
    const handle = await fs.open('/f');
    await handle.append(bytes('a'));
    fs.pauseSyncs();
    let done = 0;
    const syncs = [handle.sync(), handle.datasync()].map((p) => p.then(() => { done += 1; }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(fs.pausedSyncCount).toBe(2);
    expect(done).toBe(0);
    fs.resumeSyncs();
    await Promise.all(syncs);
    expect(done).toBe(2);
    fs.crash();
    expect(text(await fs.readFile('/f'))).toBe('a');
  });

  it('delays syncs by the configured latency on its clock', async () => {
    const clock = new ManualClock();
    const fs = new SimFileSystem({ clock, syncLatencyMs: 5 });
    await fs.writeFile('/f', bytes('x'));
    const handle = await fs.open('/f');
    let synced = false;
    const sync = handle.sync().then(() => { synced = true; });
    await new Promise((resolve) => setImmediate(resolve));
    expect(synced).toBe(false);
    clock.advance(5);
    await sync;
    expect(synced).toBe(true);
  });
});
