// The applier on the REAL stack: a sysbench oltp_write_only-like primary history written
// as a real binlog (the relay log), read back through @lockstep/binlog's reader,
// classifyBinlogEvent and assembleTransactions, and applied through txn transactions over
// a real KvStore, committed through tc's BinlogFileCoordinator (the replica's own binlog:
// one append + one fdatasync per group) with the applier's commit-order tickets, the
// replica position in the same transaction, lock-wait reports wired to the applier.
// Real files in the OS temp dir, real fsyncs.
//
// Usage: npm run bench -w @lockstep/replication [-- --quick] [--transactions N] [--rows N]
//   [--overlap N] [--modes a,b] [--workers 1,16] [--key-aware on|off|both] [--checkpoint-ms N] [--target sim]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { benchMachine } from '@lockstep/base/testing';
import { join } from 'node:path';
import { nodeFileSystem, Random } from '@lockstep/base';
import type { BinlogEvent } from '@lockstep/binlog';
import type { ParallelMode, ReplicatedTransaction } from '../src/index.js';
import { connectApplier } from '../test/real/harness.js';
import { readRelayLog, sysbenchHistory, writePrimaryBinlog, type PrimaryHistory } from '../test/real/history.js';
import { RealApplyTarget, Replica } from '../test/real/real-target.js';
import { statesEqual } from '../test/real/sbtest.js';
import { runSimulatedBench } from './sim-bench.js';

const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const transactions = Number(arg('--transactions') ?? (quick ? 2_000 : 100_000));
const tableRows = Number(arg('--rows') ?? 10_000);
const commitOverlap = Number(arg('--overlap') ?? 2);
const workerCounts = (arg('--workers') ?? (quick ? '1,4,16' : '1,2,4,8,16,32')).split(',').map(Number);
const modes = (arg('--modes') ?? 'minimal,conservative,optimistic,aggressive').split(',') as ParallelMode[];
const keyAwareArg = arg('--key-aware') ?? 'both';
/** tc's engine checkpoint interval on the replica (kv flush + fsync), default tc's 1000 ms; 0: only by bytes/rotation. */
const checkpointMs = arg('--checkpoint-ms');
const clients = 16;
const machine = benchMachine();

interface Point {
  readonly mode: ParallelMode;
  readonly keyAware: boolean;
  readonly workers: number;
  readonly rate: number;
  readonly retriesPer1000: number;
  readonly killsPer1000: number;
  readonly perFsync: number;
  /** CPU time of this process per applied transaction (user + system), µs. */
  readonly cpuUsPerTxn: number;
  /** Median time of one group flush (binlog append + fdatasync), ms. */
  readonly flushP50Ms: number;
  readonly load: number;
}

async function measure(history: PrimaryHistory, relay: readonly ReplicatedTransaction<BinlogEvent>[], mode: ParallelMode, workers: number, keyAware: boolean): Promise<Point> {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-repl-bench-'));
  try {
    const replica = await Replica.open({ fs: nodeFileSystem, dir, ...(checkpointMs === undefined ? {} : { engineCheckpointIntervalMs: Number(checkpointMs) }) });
    await replica.load(history.initial);
    const target = new RealApplyTarget(replica);
    const applier = connectApplier(target, { mode, workers, keyAware, commitOverlap });
    const before = replica.tc.stats();
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const outcome = await applier.run(relay);
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const after = replica.tc.stats();
    if (outcome.state !== 'caught-up') throw new Error(`${mode} x${workers}: ${outcome.state} ${String(outcome.error)}`);
    const diff = statesEqual(history.final, replica.state().state);
    if (diff !== undefined) throw new Error(`${mode} x${workers} keyAware=${keyAware}: replica differs from a serial replay: ${diff}`);
    const last = relay.at(-1)!.gtid;
    const position = replica.positions()[0];
    if (position?.seqNo !== last.seqNo) throw new Error(`${mode} x${workers}: stored position ${String(position?.seqNo)} is not the last GTID ${last.seqNo}`);
    await replica.close();
    const { counters } = applier.status();
    const n = relay.length;
    return {
      mode,
      keyAware,
      workers,
      rate: n / seconds,
      retriesPer1000: (counters.retried * 1000) / n,
      killsPer1000: (counters.kills * 1000) / n,
      perFsync: (after.commits - before.commits) / Math.max(1, after.flushes - before.flushes),
      cpuUsPerTxn: (cpu.user + cpu.system) / n,
      flushP50Ms: after.flushLatencyP50Ms,
      load: loadavg()[0]!,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const variant = (p: { mode: ParallelMode; keyAware: boolean }): string => (p.mode === 'none' || p.mode === 'minimal' ? '' : p.keyAware ? '-keyaware' : '-speculative');

async function main(): Promise<void> {
  const primaryDir = mkdtempSync(join(tmpdir(), 'lockstep-repl-primary-'));
  const history = sysbenchHistory(new Random(42), { transactions, rows: tableRows, clients });
  await writePrimaryBinlog(nodeFileSystem, primaryDir, history);
  const relay = await readRelayLog(nodeFileSystem, primaryDir);
  rmSync(primaryDir, { recursive: true, force: true });
  console.log('@lockstep/replication bench — REAL stack: txn over kv (real files), replica binlog through tc BinlogFileCoordinator (one append + fdatasync per group), relay log read from a real binlog');
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, node ${machine.node}, load ${machine.loadavg.join(' ')}; files in ${tmpdir()}`);
  console.log(`history: ${relay.length} oltp_write_only-like transactions (2 UPDATE, DELETE, INSERT; the k index moved by delete + insert), ${tableRows} rows, commit groups of ${clients / 2}-${clients}, commitOverlap ${commitOverlap}; every run checked row for row against a serial replay\n`);
  const points: Point[] = [];
  const report = (p: Point): void => {
    points.push(p);
    const none = points[0]!.rate;
    console.log(`| ${p.mode} | ${p.mode === 'none' || p.mode === 'minimal' ? '-' : p.keyAware ? 'on' : 'off'} | ${p.workers} | ${Math.round(p.rate).toLocaleString('en-US')} | ${(p.rate / none).toFixed(2)}x | ${p.retriesPer1000.toFixed(1)} | ${p.killsPer1000.toFixed(1)} | ${p.perFsync.toFixed(1)} | ${Math.round(p.cpuUsPerTxn)} | ${Math.round((p.cpuUsPerTxn * p.rate) / 10_000)}% | ${p.flushP50Ms.toFixed(2)} | ${p.load.toFixed(1)} |`);
  };
  console.log('| mode | key-aware | workers | txn/s | vs none | retries / 1000 txn | kills / 1000 txn | commits / fsync | CPU µs / txn | CPU busy | flush p50 ms | load |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  report(await measure(history, relay, 'none', 1, false));
  for (const mode of modes) {
    const keyAwareValues = mode === 'minimal' ? [false] : keyAwareArg === 'on' ? [true] : keyAwareArg === 'off' ? [false] : [true, false];
    for (const keyAware of keyAwareValues) for (const workers of workerCounts) report(await measure(history, relay, mode, workers, keyAware));
  }
  // Result names: `<mode>[-keyaware|-speculative]-w<workers>` in txn/s (apps/bench draws
  // "apply rate vs workers, one line per mode" from them), plus `-retries` and `-per-fsync`.
  const results: Record<string, { value: number; unit: string }> = {};
  for (const p of points) {
    const name = `${p.mode}${variant(p)}-w${p.workers}`;
    results[name] = { value: Math.round(p.rate), unit: 'txn/s' };
    results[`${name}-retries`] = { value: Number(p.retriesPer1000.toFixed(2)), unit: 'retries/1000 txn' };
    results[`${name}-per-fsync`] = { value: Number(p.perFsync.toFixed(2)), unit: 'commits/fsync' };
    results[`${name}-cpu`] = { value: Math.round(p.cpuUsPerTxn), unit: 'µs CPU/txn' };
  }
  console.log(JSON.stringify({ package: '@lockstep/replication', machine: { ...machine, target: 'real', transactions: relay.length, rows: tableRows, commitOverlap }, results }));
}

if (arg('--target') === 'sim') await runSimulatedBench();
else await main();
