// Group commit on real files: commits/s and commits per fsync at several concurrencies,
// beside a naive fsync-per-commit baseline and the fsync-bound limit, in one run.
// Usage: npm run bench -w @lockstep/tc [-- --quick]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { nodeFileSystem } from '@lockstep/base';
import { SingleParticipantCoordinator, XidLogCoordinator, type TransactionBranch } from '../src/index.js';

const quick = process.argv.includes('--quick');
const durationMs = quick ? 300 : 2000;
const concurrencies = quick ? [1, 16, 64] : [1, 4, 16, 64, 256];
const dir = mkdtempSync(join(tmpdir(), 'lockstep-tc-bench-'));

const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), os: `${platform()} ${release()}`, node: process.version };

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

async function naive(concurrency: number): Promise<{ rate: number; perFsync: number }> {
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
  return { rate: (commits * 1000) / (performance.now() - start), perFsync: 1 };
}

const noopBranch: TransactionBranch = { participantName: 'noop', commitOrdered: () => undefined, rollback: () => Promise.resolve() };

async function grouped(concurrency: number): Promise<{ rate: number; perFsync: number; p99: number }> {
  const tc = await XidLogCoordinator.open({ dir: join(dir, `tc-${concurrency}`), participants: [] });
  let commits = 0;
  let xid = 0n;
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - start < durationMs) {
        const t0 = performance.now();
        const result = await tc.logAndOrder({ xid: ++xid, branches: [noopBranch] });
        if (result.status !== 'committed') throw new Error('commit failed in benchmark');
        latencies.push(performance.now() - t0);
        commits += 1;
      }
    }),
  );
  const elapsed = performance.now() - start;
  const stats = tc.stats();
  await tc.close();
  latencies.sort((a, b) => a - b);
  return { rate: (commits * 1000) / elapsed, perFsync: stats.averageGroupSize, p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0 };
}

/** The same commit loop with no log I/O at all: the CPU-bound rate of the coordinator. */
async function cpuBound(concurrency: number): Promise<number> {
  const tc = new SingleParticipantCoordinator();
  let commits = 0;
  let xid = 0n;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - start < durationMs) {
        await tc.logAndOrder({ xid: ++xid, branches: [noopBranch] });
        commits += 1;
      }
    }),
  );
  return (commits * 1000) / (performance.now() - start);
}

const fsyncs = await fsyncRate();
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, node ${machine.node}`);
console.log(`fsync (append 64 B + fdatasync) on ${tmpdir()}: ${fsyncs.toFixed(0)}/s\n`);
console.log('committers | naive commits/s | group commits/s | commits/fsync | p99 ms | fsync x committers | CPU-bound (no I/O) | group / min(both)');
console.log('---------- | --------------- | --------------- | ------------- | ------ | ------------------ | ------------------ | -----------------');
const results: Record<string, { value: number; unit: string }> = { fsync_rate: { value: fsyncs, unit: 'fsync/s' } };
for (const c of concurrencies) {
  const n = await naive(c);
  const g = await grouped(c);
  const cpu = await cpuBound(c);
  const limit = Math.min(fsyncs * c, cpu);
  console.log(
    `${String(c).padStart(10)} | ${n.rate.toFixed(0).padStart(15)} | ${g.rate.toFixed(0).padStart(15)} | ${g.perFsync.toFixed(1).padStart(13)} | ${g.p99.toFixed(2).padStart(6)} | ${(fsyncs * c).toFixed(0).padStart(18)} | ${cpu.toFixed(0).padStart(18)} | ${(g.rate / limit).toFixed(2).padStart(17)}`,
  );
  results[`group_commit_${c}`] = { value: g.rate, unit: 'commits/s' };
  results[`naive_${c}`] = { value: n.rate, unit: 'commits/s' };
  results[`commits_per_fsync_${c}`] = { value: g.perFsync, unit: 'commits/fsync' };
}
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ package: '@lockstep/tc', machine, results }));
