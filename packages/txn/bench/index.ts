// A sysbench oltp_write_only-like mix at the @lockstep/txn API level, 16 concurrent
// transactions, point locking vs range locking side by side (rounds alternate), with the
// bare kv engine doing the same writes without transactions as a ceiling.
// Per transaction (as oltp_write_only): an index update (UPDATE SET k=k+1 WHERE id=?: the
// row, plus delete + insert of its secondary-index entry), a non-index update (UPDATE SET
// c=? WHERE id=?), and DELETE WHERE id=? followed by INSERT of the same id.
// Usage: npm run bench -w @lockstep/txn [-- --quick] [-- --sync]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { benchMachine } from '@lockstep/base/testing';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Random } from '@lockstep/base';
import { KvStore, type WriteOp } from '@lockstep/kv';
import { TransactionDb, indexKey, type LockingMode, type Transaction } from '../src/index.js';

const quick = process.argv.includes('--quick');
// A full garbage collection before every run, so one run does not pay for the previous run's heap.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const sync = process.argv.includes('--sync');
const ROWS = quick ? 2_000 : 10_000;
const CONCURRENCY = 16;
const DURATION_MS = quick ? 300 : 600;
const ROUNDS = quick ? 3 : 21;
const WARMUP_MS = quick ? 300 : 1_000;
const PRIMARY = 1;
const SECONDARY = 2;
const MAX_RETRIES = 100;

const machine = benchMachine();

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}
const pk = (id: number): Uint8Array => indexKey(PRIMARY, u32(id));
function sk(k: number, id: number): Uint8Array {
  const b = new Uint8Array(8);
  const view = new DataView(b.buffer);
  view.setUint32(0, k);
  view.setUint32(4, id);
  return indexKey(SECONDARY, b);
}
/** A row: k (4 bytes), then c (120 bytes of text-like filler), as sysbench's sbtest. */
function row(k: number, random: Random): Uint8Array {
  const b = new Uint8Array(124);
  new DataView(b.buffer).setUint32(0, k);
  for (let i = 4; i < b.length; i++) b[i] = 48 + random.int(0, 9);
  return b;
}
const rowK = (value: Uint8Array): number => new DataView(value.buffer, value.byteOffset, 4).getUint32(0);

async function load(engine: KvStore): Promise<void> {
  const random = new Random(1);
  const ops: WriteOp[] = [];
  for (let id = 0; id < ROWS; id++) {
    const k = random.int(0, ROWS - 1);
    ops.push({ type: 'put', key: pk(id), value: row(k, random) }, { type: 'put', key: sk(k, id), value: new Uint8Array(0) });
  }
  await engine.write(ops, { sync: true });
}

async function oneTransaction(t: Transaction, random: Random): Promise<void> {
  // index update
  const a = random.int(0, ROWS - 1);
  const ra = await t.getForUpdate(pk(a));
  if (ra !== undefined) {
    const k = rowK(ra);
    const next = ra.slice();
    new DataView(next.buffer).setUint32(0, k + 1);
    await t.put(pk(a), next);
    await t.delete(sk(k, a));
    await t.insert(sk(k + 1, a), new Uint8Array(0));
  }
  // non-index update
  const b = random.int(0, ROWS - 1);
  const rb = await t.getForUpdate(pk(b));
  if (rb !== undefined) await t.put(pk(b), row(rowK(rb), random));
  // delete + insert
  const c = random.int(0, ROWS - 1);
  const rc = await t.getForUpdate(pk(c));
  if (rc !== undefined) {
    await t.delete(pk(c));
    await t.delete(sk(rowK(rc), c));
  }
  const k = random.int(0, ROWS - 1);
  await t.insert(pk(c), row(k, random));
  await t.insert(sk(k, c), new Uint8Array(0));
}

interface RunResult {
  readonly tps: number;
  /** Committed transactions per second of this process's CPU time: robust to other processes on a shared machine. */
  readonly perCpuSecond: number;
  readonly retries: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

interface Target {
  readonly name: string;
  readonly engine: KvStore;
  readonly db: TransactionDb | undefined;
}

async function openTarget(dir: string, name: string, mode: LockingMode | undefined): Promise<Target> {
  const engine = await KvStore.open(join(dir, name));
  await load(engine);
  return { name, engine, db: mode === undefined ? undefined : new TransactionDb(engine, { lockingMode: mode, syncCommit: sync }) };
}

/** One timed run of the mix on `target` (a TransactionDb, or the bare engine when `db` is undefined). */
async function run(target: Target, seed: number, durationMs: number): Promise<RunResult> {
  collectGarbage();
  let committed = 0;
  let retries = 0;
  const latencies: number[] = [];
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      const random = new Random(seed * 100 + worker + 1);
      while (performance.now() - start < durationMs) {
        const t0 = performance.now();
        if (target.db === undefined) await bareKvTransaction(target.engine, random);
        else retries += await txnWithRetries(target.db, random);
        committed += 1;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((x, y) => x - y);
  return { tps: (committed * 1000) / elapsed, perCpuSecond: (committed * 1e6) / (cpu.user + cpu.system), retries, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
}

async function txnWithRetries(db: TransactionDb, random: Random): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const t = db.begin();
    try {
      await oneTransaction(t, random);
      await t.commit();
      return attempt;
    } catch (error) {
      await t.rollback();
      const errno = (error as { errno?: number }).errno;
      if ((errno !== 1213 && errno !== 1205 && errno !== 1062) || attempt >= MAX_RETRIES) throw error;
    }
  }
}

/** The same writes as one plain engine batch: no locks, no reads-for-update, no isolation (a ceiling, not a peer). */
async function bareKvTransaction(engine: KvStore, random: Random): Promise<void> {
  const ops: WriteOp[] = [];
  const a = random.int(0, ROWS - 1);
  const ra = engine.get(pk(a));
  if (ra !== undefined) {
    const k = rowK(ra);
    const next = ra.slice();
    new DataView(next.buffer).setUint32(0, k + 1);
    ops.push({ type: 'put', key: pk(a), value: next }, { type: 'delete', key: sk(k, a) }, { type: 'put', key: sk(k + 1, a), value: new Uint8Array(0) });
  }
  const b = random.int(0, ROWS - 1);
  const rb = engine.get(pk(b));
  if (rb !== undefined) ops.push({ type: 'put', key: pk(b), value: row(rowK(rb), random) });
  const c = random.int(0, ROWS - 1);
  const rc = engine.get(pk(c));
  if (rc !== undefined) ops.push({ type: 'delete', key: sk(rowK(rc), c) });
  const k = random.int(0, ROWS - 1);
  ops.push({ type: 'put', key: pk(c), value: row(k, random) }, { type: 'put', key: sk(k, c), value: new Uint8Array(0) });
  await engine.write(ops, { sync });
}

function median(results: RunResult[]): RunResult {
  const sorted = [...results].sort((x, y) => x.tps - y.tps);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const dir = mkdtempSync(join(tmpdir(), 'lockstep-txn-bench-'));
const targets: Target[] = [];
try {
  const pointTarget = await openTarget(dir, 'point', 'point');
  const rangeTarget = await openTarget(dir, 'range', 'range');
  const bareTarget = await openTarget(dir, 'bare', undefined);
  targets.push(pointTarget, rangeTarget, bareTarget);
  // Warm-up (discarded): the first run of any code path pays for the JIT.
  for (const target of targets) await run(target, 999, WARMUP_MS);
  const point: RunResult[] = [];
  const range: RunResult[] = [];
  const bare: RunResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so that drift in the machine's load does not favour one mode.
    if (round % 2 === 0) {
      point.push(await run(pointTarget, round, DURATION_MS));
      range.push(await run(rangeTarget, round, DURATION_MS));
    } else {
      range.push(await run(rangeTarget, round, DURATION_MS));
      point.push(await run(pointTarget, round, DURATION_MS));
    }
    bare.push(await run(bareTarget, round, DURATION_MS));
  }
  const p = median(point);
  const r = median(range);
  const k = median(bare);
  // The headline ratio is the median of per-round ratios: each round runs the two modes
  // back to back, so a change in the shared machine's load between rounds cancels out.
  const roundRatios = point.map((x, i) => range[i]!.tps / x.tps);
  const cpuRatios = point.map((x, i) => range[i]!.perCpuSecond / x.perCpuSecond);
  const cpuRatio = [...cpuRatios].sort((x, y) => x - y)[Math.floor(cpuRatios.length / 2)]!;
  const ratio = [...roundRatios].sort((x, y) => x - y)[Math.floor(roundRatios.length / 2)]!;
  console.log(`# @lockstep/txn: oltp_write_only-like mix, ${CONCURRENCY} concurrent transactions, ${ROWS} rows, ${DURATION_MS} ms x ${ROUNDS} rounds (median run per mode; each mode on one store loaded once), commits ${sync ? 'fsynced' : 'not fsynced'}`);
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, load average ${machine.loadavg.join(' ')}`);
  console.log('');
  console.log('| run | transactions/s | vs point | transactions per CPU-second | vs point | retries | p50 ms | p99 ms |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, x] of [['point locking', p], ['range locking', r], ['bare kv writes (no txn, ceiling)', k]] as const) {
    console.log(`| ${name} | ${x.tps.toFixed(0)} | ${(x.tps / p.tps).toFixed(3)}x | ${x.perCpuSecond.toFixed(0)} | ${(x.perCpuSecond / p.perCpuSecond).toFixed(3)}x | ${x.retries} | ${x.p50Ms.toFixed(2)} | ${x.p99Ms.toFixed(2)} |`);
  }
  console.log('');
  console.log(`range / point, transactions/s: ${ratio.toFixed(3)} (median of per-round ratios; rounds: ${roundRatios.map((x) => x.toFixed(2)).join(', ')})`);
  console.log(`range / point, per CPU-second: ${cpuRatio.toFixed(3)} (rounds: ${cpuRatios.map((x) => x.toFixed(2)).join(', ')}); goal >= 0.97`);
  console.log(
    JSON.stringify({
      package: '@lockstep/txn',
      machine,
      results: {
        point_tps: { value: Math.round(p.tps), unit: 'txn/s' },
        range_tps: { value: Math.round(r.tps), unit: 'txn/s' },
        range_vs_point: { value: Math.round(ratio * 1000) / 1000, unit: 'ratio' },
        range_vs_point_cpu: { value: Math.round(cpuRatio * 1000) / 1000, unit: 'ratio' },
        point_per_cpu_second: { value: Math.round(p.perCpuSecond), unit: 'txn/cpu-s' },
        range_per_cpu_second: { value: Math.round(r.perCpuSecond), unit: 'txn/cpu-s' },
        bare_kv_tps: { value: Math.round(k.tps), unit: 'batch/s' },
        point_p99: { value: Math.round(p.p99Ms * 100) / 100, unit: 'ms' },
        range_p99: { value: Math.round(r.p99Ms * 100) / 100, unit: 'ms' },
      },
    }),
  );
} finally {
  for (const target of targets) {
    await target.db?.close();
    await target.engine.close();
  }
  rmSync(dir, { recursive: true, force: true });
}
