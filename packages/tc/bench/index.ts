// Group commit through the real binlog on real files, with the real kv engine (through
// txn transactions) as participant: commits/s and commits per fsync at several
// concurrencies, beside a naive fsync-per-commit baseline, the fsync-bound limit
// (measured fsync rate x committers) and the CPU-bound rate (the same stack and writes
// with every fsync skipped), in one run.
// Usage: npm run bench -w @lockstep/tc [-- --quick]
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { benchMachine } from '@lockstep/base/testing';
import { join } from 'node:path';
import { nodeFileSystem, type FileHandle, type FileSystem } from '@lockstep/base';
import type { EventInput } from '@lockstep/binlog';
import { KvStore } from '@lockstep/kv';
import { TransactionDb, indexKey } from '@lockstep/txn';
import { BinlogFileCoordinator } from '../src/index.js';

const quick = process.argv.includes('--quick');
// Each point is measured in `rounds` short runs, interleaved with the other columns (and a
// fresh fsync probe) so that load from other users of the shared machine hits all columns
// alike; the table shows medians.
const durationMs = quick ? 300 : 700;
const rounds = quick ? 1 : 3;
const concurrencies = quick ? [1, 16, 64] : [1, 4, 16, 64, 256];
const dir = mkdtempSync(join(tmpdir(), 'lockstep-tc-bench-'));
let runs = 0;

const machine = benchMachine();

async function fsyncRate(): Promise<number> {
  const file = await nodeFileSystem.open(join(dir, 'fsync-probe'), { create: true, truncate: true });
  const record = new Uint8Array(64);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    await file.append(record);
    await file.datasync();
    n += 1;
  }
  await file.close();
  return (n * 1000) / (performance.now() - start);
}

async function naive(concurrency: number): Promise<number> {
  const file = await nodeFileSystem.open(join(dir, `naive-${concurrency}`), { create: true, truncate: true });
  const record = new Uint8Array(64);
  let commits = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - start < durationMs) {
        await file.append(record);
        await file.datasync();
        commits += 1;
      }
    }),
  );
  await file.close();
  return (commits * 1000) / (performance.now() - start);
}

/**
 * The real file system, optionally with synchronous writes (a `writeSync` on the event
 * loop instead of a thread-pool round trip — the experiment the README named) and
 * optionally with every fsync skipped (the CPU-bound rate: the same stack and the same
 * write calls, no waiting for the disk).
 */
function realFs(options: { readonly syncWrites: boolean; readonly skipSyncs: boolean }): FileSystem {
  const { syncWrites, skipSyncs } = options;
  return {
    readFile: (p) => nodeFileSystem.readFile(p),
    writeFile: (p, d) => nodeFileSystem.writeFile(p, d),
    rename: (a, b) => nodeFileSystem.rename(a, b),
    unlink: (p) => nodeFileSystem.unlink(p),
    readdir: (p) => nodeFileSystem.readdir(p),
    mkdir: (p, o) => nodeFileSystem.mkdir(p, o),
    stat: (p) => nodeFileSystem.stat(p),
    exists: (p) => nodeFileSystem.exists(p),
    syncDir: (p) => (skipSyncs ? Promise.resolve() : nodeFileSystem.syncDir(p)),
    rm: (p, o) => nodeFileSystem.rm(p, o),
    async open(path, openOptions): Promise<FileHandle> {
      const handle = await nodeFileSystem.open(path, openOptions);
      const fd = syncWrites && openOptions?.readOnly !== true ? openSync(path, 'r+') : undefined;
      return {
        path: handle.path,
        read: (b, o, l, p) => handle.read(b, o, l, p),
        write: (data, position) => {
          if (fd === undefined) return handle.write(data, position);
          writeSync(fd, data, 0, data.length, position);
          return Promise.resolve();
        },
        append: (data) => handle.append(data),
        sync: () => (skipSyncs ? Promise.resolve() : handle.sync()),
        datasync: () => (skipSyncs ? Promise.resolve() : handle.datasync()),
        truncate: (l) => handle.truncate(l),
        size: () => handle.size(),
        close: async () => {
          if (fd !== undefined) closeSync(fd);
          await handle.close();
        },
      };
    },
  };
}
const asyncWriteFs = realFs({ syncWrites: false, skipSyncs: false });
const syncWriteFs = realFs({ syncWrites: true, skipSyncs: false });
const noSyncFs = realFs({ syncWrites: true, skipSyncs: true });

type Workload = 'noop' | 'rows';
const tableMap: EventInput = {
  kind: 'tableMap',
  tableId: 100,
  tableFlags: 1,
  database: 'bench',
  table: 't',
  columns: [
    { type: 'int', unsigned: false, nullable: false },
    { type: 'varchar', maxBytes: 64, nullable: false },
  ],
};
const value = new TextEncoder().encode('a-small-row-value-of-32-bytes...');

interface Measured {
  readonly rate: number;
  readonly perFsync: number;
  readonly p99: number;
  readonly engineCheckpoints: number;
}

/** Closed-loop committers through the whole stack: txn transaction → logAndOrder (binlog group, commitOrdered into kv). */
async function grouped(fs: FileSystem, concurrency: number, workload: Workload): Promise<Measured> {
  const base = join(dir, `run-${runs++}`);
  await fs.mkdir(base, { recursive: true });
  const store = await KvStore.open(join(base, 'kv'), { fs });
  const db = new TransactionDb(store, { maxTransactions: 100_000 });
  const participant = db.participant();
  const tc = await BinlogFileCoordinator.open({
    fs,
    dir: join(base, 'binlog'),
    serverId: 1,
    participants: [participant],
    durablePosition: () => undefined,
    redo: () => Promise.resolve(),
  });
  let commits = 0;
  let xid = 0n;
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, committer) => {
      const keyBytes = new Uint8Array(4);
      new DataView(keyBytes.buffer).setUint32(0, committer);
      const key = indexKey(1, keyBytes);
      while (performance.now() - start < durationMs) {
        const t0 = performance.now();
        const t = db.begin();
        let events: EventInput[] = [];
        if (workload === 'rows') {
          await t.put(key, value);
          events = [tableMap, { kind: 'writeRows', tableId: 100, rowsFlags: 1, columnCount: 2, rows: [[committer, value]] }];
        }
        const result = await tc.logAndOrder({ xid: (xid += 1n), branches: [t.branch()], events });
        if (result.status !== 'committed' || result.delayedError !== undefined) throw new Error('commit failed in benchmark');
        latencies.push(performance.now() - t0);
        commits += 1;
      }
    }),
  );
  const elapsed = performance.now() - start;
  const stats = tc.stats();
  await tc.close();
  await db.close();
  await store.close();
  latencies.sort((a, b) => a - b);
  return { rate: (commits * 1000) / elapsed, perFsync: stats.averageGroupSize, p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0, engineCheckpoints: stats.engineCheckpoints };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const probe = await fsyncRate();
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, node ${machine.node}, load ${machine.loadavg.join(' ')}`);
console.log(`fsync (append 64 B + fdatasync) on ${tmpdir()}: ${probe.toFixed(0)}/s at start; each point: median of ${rounds} interleaved runs of ${durationMs} ms\n`);
console.log('workload | committers | naive commits/s | group commits/s | commits/fsync | p99 ms | group, sync write | fsync x committers | CPU-bound (no fsync) | group / min(both) | sync write / min(both)');
console.log('-------- | ---------- | --------------- | --------------- | ------------- | ------ | ----------------- | ------------------ | -------------------- | ----------------- | ----------------------');
const results: Record<string, { value: number; unit: string }> = { fsync_rate: { value: probe, unit: 'fsync/s' } };
for (const workload of ['noop', 'rows'] as const) {
  for (const c of concurrencies) {
    const runs: { f: number; n: number; g: Measured; w: Measured; cpu: Measured }[] = [];
    for (let r = 0; r < rounds; r++) {
      runs.push({ f: await fsyncRate(), n: await naive(c), g: await grouped(asyncWriteFs, c, workload), w: await grouped(syncWriteFs, c, workload), cpu: await grouped(noSyncFs, c, workload) });
    }
    const fsyncs = median(runs.map((x) => x.f));
    const n = median(runs.map((x) => x.n));
    const g = { rate: median(runs.map((x) => x.g.rate)), perFsync: median(runs.map((x) => x.g.perFsync)), p99: median(runs.map((x) => x.g.p99)) };
    const w = { rate: median(runs.map((x) => x.w.rate)) };
    const cpu = { rate: median(runs.map((x) => x.cpu.rate)) };
    const limit = Math.min(fsyncs * c, cpu.rate);
    console.log(
      `${workload.padEnd(8)} | ${String(c).padStart(10)} | ${n.toFixed(0).padStart(15)} | ${g.rate.toFixed(0).padStart(15)} | ${g.perFsync.toFixed(1).padStart(13)} | ${g.p99.toFixed(2).padStart(6)} | ${w.rate.toFixed(0).padStart(17)} | ${(fsyncs * c).toFixed(0).padStart(18)} | ${cpu.rate.toFixed(0).padStart(18)} | ${(g.rate / limit).toFixed(2).padStart(17)} | ${(w.rate / limit).toFixed(2).padStart(22)}`,
    );
    results[`${workload}_group_commit_sync_write_${c}`] = { value: w.rate, unit: 'commits/s' };
    results[`${workload}_group_commit_${c}`] = { value: g.rate, unit: 'commits/s' };
    results[`${workload}_naive_${c}`] = { value: n, unit: 'commits/s' };
    results[`${workload}_commits_per_fsync_${c}`] = { value: g.perFsync, unit: 'commits/fsync' };
    results[`${workload}_cpu_bound_${c}`] = { value: cpu.rate, unit: 'commits/s' };
    results[`${workload}_ratio_to_limit_${c}`] = { value: g.rate / limit, unit: 'ratio' };
    results[`${workload}_fsync_rate_${c}`] = { value: fsyncs, unit: 'fsync/s' };
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ package: '@lockstep/tc', machine, results }));
