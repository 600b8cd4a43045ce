// The applier on a sysbench oltp_write_only-like primary history, committing through a
// group-commit queue that appends to a real file and datasyncs once per group.
// The apply target is SIMULATED (rows in a Map, a row-lock table) until the SQL layer exists.
// Usage: npm run bench -w @lockstep/replication -- --target sim [--quick] [--transactions N] [--rows N] [--overlap N]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Random } from '@lockstep/base';
import { ParallelApplier, type ParallelMode, type ReplicatedTransaction } from '../src/index.js';
import { openTarget, type BenchEvent } from './file-commit-target.js';

const quick = process.argv.includes('--quick');
const transactionsArg = process.argv.indexOf('--transactions');
const transactions = transactionsArg > 0 ? Number(process.argv[transactionsArg + 1]) : quick ? 3_000 : 20_000;
const workerCounts = quick ? [1, 4, 16] : [1, 2, 4, 8, 16, 32];
const overlapArg = process.argv.indexOf('--overlap');
const commitOverlap = overlapArg > 0 ? Number(process.argv[overlapArg + 1]) : 0;
const rowsArg = process.argv.indexOf('--rows');
const tableRows = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 2_000;
const clients = 16;
const dir = mkdtempSync(join(tmpdir(), 'lockstep-repl-bench-'));
const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), os: `${platform()} ${release()}`, node: process.version };

/**
 * oltp_write_only per transaction: UPDATE (index column) by id, UPDATE (non-index) by id,
 * DELETE by id, INSERT of the same id — four row events over one table of `tableRows`.
 * Commit groups as a primary with `clients` clients forms them: up to `clients` per group,
 * no two transactions of one group conflicting (one would have waited for the other);
 * a transaction touching a row of the previous group is marked `waited`.
 */
function primaryHistory(count: number): ReplicatedTransaction<BenchEvent>[] {
  const random = new Random(42);
  const out: ReplicatedTransaction<BenchEvent>[] = [];
  let commitId = 0n;
  let previousGroupKeys = new Set<string>();
  while (out.length < count) {
    const size = Math.min(count - out.length, random.int(Math.ceil(clients / 2), clients));
    const groupKeys = new Set<string>();
    commitId += 1n;
    for (let i = 0; i < size; i++) {
      let ids: number[];
      do ids = [random.int(1, tableRows), random.int(1, tableRows), random.int(1, tableRows)];
      while (ids.some((id) => groupKeys.has(`sbtest1:${id}`)));
      const keys = ids.map((id) => `sbtest1:${id}`);
      const waited = keys.some((k) => previousGroupKeys.has(k));
      for (const k of keys) groupKeys.add(k);
      const events: BenchEvent[] = [
        { kind: 'update', key: keys[0]! },
        { kind: 'update', key: keys[1]! },
        { kind: 'delete', key: keys[2]! },
        { kind: 'insert', key: keys[2]! },
      ];
      out.push({
        gtid: { domainId: 0, serverId: 1, seqNo: BigInt(out.length + 1) },
        commitId: size > 1 ? commitId : undefined,
        flags: { standalone: false, transactional: true, allowParallel: true, waited, ddl: false },
        events,
        timestampMs: Date.now(),
        byteSize: 400,
      });
    }
    previousGroupKeys = groupKeys;
  }
  return out;
}

function serialRows(history: readonly ReplicatedTransaction<BenchEvent>[]): Map<string, number> {
  const rows = new Map<string, number>();
  for (const t of history) for (const e of t.events) rows.set(e.key, e.kind === 'delete' ? -1 : Number(t.gtid.seqNo));
  return rows;
}

interface Point {
  readonly mode: ParallelMode;
  readonly keyAware: boolean;
  readonly workers: number;
  readonly rate: number;
  readonly retriesPer1000: number;
  readonly perFsync: number;
}

async function measure(history: readonly ReplicatedTransaction<BenchEvent>[], expected: Map<string, number>, mode: ParallelMode, workers: number, keyAware: boolean): Promise<Point> {
  const { target, close } = await openTarget(join(dir, `${mode}-${workers}-${keyAware}.log`));
  const applier = new ParallelApplier<BenchEvent>({ target, mode, workers, keyAware, maxQueuedBytes: 64 * 1024, commitOverlap });
  target.onLockWait = (w, h) => {
    applier.onLockWait(w, h);
  };
  const start = performance.now();
  const outcome = await applier.run(history);
  const seconds = (performance.now() - start) / 1000;
  await close();
  if (outcome.state !== 'caught-up') throw new Error(`${mode} x${workers}: ${outcome.state} ${String(outcome.error)}`);
  for (const [key, value] of expected) if (target.rows.get(key) !== value) throw new Error(`${mode} x${workers}: row ${key} differs from a serial replay`);
  const counters = applier.status().counters;
  const stats = target.queue.stats();
  return { mode, keyAware, workers, rate: history.length / seconds, retriesPer1000: (counters.retried * 1000) / history.length, perFsync: stats.commits / Math.max(1, stats.flushes) };
}

async function main(): Promise<void> {
  const history = primaryHistory(transactions);
  const expected = serialRows(history);
  console.log(`@lockstep/replication bench — SIMULATED apply target (in-memory rows + row locks), commits through a group-commit queue with a real file append + datasync per group`);
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, node ${machine.node}; files in ${tmpdir()}`);
  console.log(`history: ${transactions} oltp_write_only-like transactions, ${tableRows} rows, commit groups of ${clients / 2}-${clients}, commitOverlap ${commitOverlap}; every run verified row-for-row against a serial replay\n`);
  const points: Point[] = [];
  points.push(await measure(history, expected, 'none', 1, false));
  const noneRate = points[0]!.rate;
  for (const mode of ['minimal', 'conservative', 'optimistic', 'aggressive'] as const) {
    for (const keyAware of mode === 'minimal' ? [false] : [true, false]) {
      for (const workers of workerCounts) points.push(await measure(history, expected, mode, workers, keyAware));
    }
  }
  rmSync(dir, { recursive: true, force: true });
  console.log('| mode | key-aware | workers | txn/s | vs none | retries / 1000 txn | commits / fsync |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const p of points) {
    console.log(`| ${p.mode} | ${p.mode === 'none' || p.mode === 'minimal' ? '-' : p.keyAware ? 'on' : 'off'} | ${p.workers} | ${Math.round(p.rate).toLocaleString('en-US')} | ${(p.rate / noneRate).toFixed(2)}x | ${p.retriesPer1000.toFixed(1)} | ${p.perFsync.toFixed(1)} |`);
  }
  const results: Record<string, { value: number; unit: string }> = {};
  for (const p of points) {
    const name = `${p.mode}${p.mode === 'none' || p.mode === 'minimal' ? '' : p.keyAware ? '-keyaware' : '-speculative'}-w${p.workers}`;
    results[name] = { value: Math.round(p.rate), unit: 'txn/s' };
    results[`${name}-retries`] = { value: Number(p.retriesPer1000.toFixed(2)), unit: 'retries/1000 txn' };
  }
  console.log(JSON.stringify({ package: '@lockstep/replication', machine, results }));
}

export { main as runSimulatedBench };
