// Lock manager throughput beside a plain Map point-lock table and the async-lock package,
// in one run. Usage: npm run bench -w @lockstep/locktree [-- --quick]
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import AsyncLock from 'async-lock';
import { Random } from '@lockstep/base';
import { LockManager } from '../src/index.js';

const quick = process.argv.includes('--quick');
const scale = quick ? 0.1 : 1;
const loadAtStart = loadavg().map((l) => l.toFixed(2)).join(' ');
const machine: Record<string, string | number> = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), os: `${platform()} ${release()}`, node: process.version };
const results: Record<string, { value: number; unit: string }> = {};
const rows: string[][] = [];

const keyCount = 1024;
const keys = Array.from({ length: keyCount }, (_, i) => Uint8Array.of(i >> 8, i & 0xff, 1, 2, 3, 4, 5, 6));
const keyStrings = keys.map((k) => Buffer.from(k).toString('latin1'));

function timeIt(ops: number, body: () => void): number {
  const start = performance.now();
  body();
  return (ops * 1000) / (performance.now() - start);
}

/** One measured round: operations per wall second and per CPU second of this process (less sensitive to other load). */
interface Rate {
  wall: number;
  cpu: number;
}

async function measure(ops: number, body: () => void | Promise<void>): Promise<Rate> {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await body();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  return { wall: (ops * 1000) / wallMs, cpu: (ops * 1e6) / Math.max(1, cpu.user + cpu.system) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Runs the contenders in alternating rounds (so load changes hit all of them alike); median wall and CPU rates. */
async function alternate(rounds: number, contenders: Record<string, () => Promise<Rate>>): Promise<Record<string, Rate>> {
  const seen: Record<string, Rate[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(contenders)) (seen[name] ??= []).push(await run());
  }
  const out: Record<string, Rate> = {};
  for (const [name, rates] of Object.entries(seen)) out[name] = { wall: median(rates.map((x) => x.wall)), cpu: median(rates.map((x) => x.cpu)) };
  return out;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

const fmt = (rate: Rate): string => `${rate.wall.toFixed(0)} (${rate.cpu.toFixed(0)} per CPU-s)`;
const ratio = (a: Rate, b: Rate): string => `${(a.wall / b.wall).toFixed(2)} (${(a.cpu / b.cpu).toFixed(2)} per CPU-s)`;
const rounds = quick ? 3 : 7;

// ---- 1. uncontended point lock + release (alternating rounds)

{
  const n = Math.round(300_000 * scale);
  const manager = new LockManager();
  const tree = manager.openTree(1);
  let txn = 0;
  const table = new Map<string, number>();
  const asyncLock = new AsyncLock({ maxPending: 1_000_000 });
  const rates = await alternate(rounds, {
    ours: () =>
      measure(n, () => {
        for (let i = 0; i < n; i++) {
          const key = keys[i % keyCount]!;
          const id = ++txn;
          tree.tryAcquire(id, key, key, 'exclusive');
          manager.releaseAll(id);
        }
      }),
    oursAsync: () =>
      measure(n, async () => {
        for (let i = 0; i < n; i++) {
          const key = keys[i % keyCount]!;
          const id = ++txn;
          await tree.acquirePoint(id, key, 'exclusive');
          manager.releaseAll(id);
        }
      }),
    map: () =>
      measure(n, () => {
        for (let i = 0; i < n; i++) {
          const key = keyStrings[i % keyCount]!;
          if (!table.has(key)) table.set(key, i);
          table.delete(key);
        }
      }),
    asyncLock: () =>
      measure(n, async () => {
        for (let i = 0; i < n; i++) await asyncLock.acquire(keyStrings[i % keyCount]!, () => undefined);
      }),
  });
  const { ours, oursAsync, map, asyncLock: theirs } = rates as Record<'ours' | 'oursAsync' | 'map' | 'asyncLock', Rate>;
  rows.push(['uncontended lock+release (try, sync)', fmt(ours), fmt(map), fmt(theirs), ratio(ours, theirs)]);
  rows.push(['uncontended lock+release (await acquire)', fmt(oursAsync), fmt(map), fmt(theirs), ratio(oursAsync, theirs)]);
  results.uncontended_try = { value: ours.wall, unit: 'lock+release/s' };
  results.uncontended_acquire = { value: oursAsync.wall, unit: 'lock+release/s' };
  results.map_table = { value: map.wall, unit: 'lock+release/s' };
  results.async_lock_uncontended = { value: theirs.wall, unit: 'lock+release/s' };
  results.uncontended_try_cpu = { value: ours.cpu, unit: 'lock+release/CPU-s' };
  results.uncontended_acquire_cpu = { value: oursAsync.cpu, unit: 'lock+release/CPU-s' };
  results.async_lock_uncontended_cpu = { value: theirs.cpu, unit: 'lock+release/CPU-s' };
}

// ---- 2. 64 tasks on 16 hot keys (alternating rounds)

{
  const tasks = 64;
  const perTask = Math.round(1_000 * scale);
  const hot = keys.slice(0, 16);
  const manager = new LockManager({ lockWaitTimeoutMs: 10_000 });
  const tree = manager.openTree(1);
  const asyncLock = new AsyncLock({ maxPending: 1_000_000 });
  const waits: number[] = [];
  const theirWaits: number[] = [];
  let txn = 0;
  const rates = await alternate(rounds, {
    ours: () => {
      const random = new Random(12345);
      return measure(tasks * perTask, async () => {
        await Promise.all(
          Array.from({ length: tasks }, async () => {
            for (let i = 0; i < perTask; i++) {
              const id = ++txn;
              const key = hot[random.nextUint32() % 16]!;
              const t0 = performance.now();
              await tree.acquirePoint(id, key, 'exclusive');
              waits.push(performance.now() - t0);
              await Promise.resolve(); // the transaction's work
              manager.releaseAll(id);
            }
          }),
        );
      });
    },
    asyncLock: () => {
      const random = new Random(12345);
      return measure(tasks * perTask, async () => {
        await Promise.all(
          Array.from({ length: tasks }, async () => {
            for (let i = 0; i < perTask; i++) {
              const key = keyStrings[random.nextUint32() % 16]!;
              const t0 = performance.now();
              await asyncLock.acquire(key, async () => {
                theirWaits.push(performance.now() - t0);
                await Promise.resolve();
              });
            }
          }),
        );
      });
    },
  });
  const { ours, asyncLock: theirs } = rates as Record<'ours' | 'asyncLock', Rate>;
  waits.sort((a, b) => a - b);
  theirWaits.sort((a, b) => a - b);
  rows.push([`64 tasks / 16 hot keys (p50/p99 wait ${(quantile(waits, 0.5) * 1000).toFixed(0)}/${(quantile(waits, 0.99) * 1000).toFixed(0)} µs vs ${(quantile(theirWaits, 0.5) * 1000).toFixed(0)}/${(quantile(theirWaits, 0.99) * 1000).toFixed(0)} µs; timeouts ${manager.counters.timeouts})`, fmt(ours), '-', fmt(theirs), ratio(ours, theirs)]);
  results.hot_64_tasks_16_keys = { value: ours.wall, unit: 'lock+release/s' };
  results.async_lock_hot = { value: theirs.wall, unit: 'lock+release/s' };
  results.hot_64_tasks_16_keys_cpu = { value: ours.cpu, unit: 'lock+release/CPU-s' };
  results.async_lock_hot_cpu = { value: theirs.cpu, unit: 'lock+release/CPU-s' };
  results.hot_wait_p99_us = { value: quantile(waits, 0.99) * 1000, unit: 'µs' };
  results.hot_timeouts = { value: manager.counters.timeouts, unit: 'count' };
}

// ---- 3. range locks with many held

{
  const heldCount = Math.round(1_000_000 * scale);
  const manager = new LockManager({ memoryLimitBytes: 2 ** 40 });
  const tree = manager.openTree(1);
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < heldCount; i++) {
    const left = Uint8Array.of(i >>> 16, (i >>> 8) & 0xff, i & 0xff, 0);
    const right = Uint8Array.of(i >>> 16, (i >>> 8) & 0xff, i & 0xff, 10);
    tree.tryAcquire(1 + (i % 1000), left, right, 'exclusive');
  }
  const bytesPerLock = (process.memoryUsage().heapUsed - before) / heldCount;
  const n = Math.round(200_000 * scale);
  const rate = timeIt(n, () => {
    for (let i = 0; i < n; i++) {
      const x = (i * 7919) % heldCount;
      const left = Uint8Array.of(x >>> 16, (x >>> 8) & 0xff, x & 0xff, 20);
      const right = Uint8Array.of(x >>> 16, (x >>> 8) & 0xff, x & 0xff, 30);
      tree.tryAcquire(5000, left, right, 'exclusive');
      tree.release(5000, left, right);
    }
  });
  rows.push([`range lock+release with ${heldCount.toLocaleString('en-US')} held (${bytesPerLock.toFixed(0)} heap bytes per held lock)`, rate.toFixed(0), '-', '-', '-']);
  results.range_with_many_held = { value: rate, unit: 'lock+release/s' };
  results.bytes_per_held_lock = { value: bytesPerLock, unit: 'bytes' };
}

// ---- 4. escalation under a memory limit

{
  const requests = Math.round(10_000_000 * scale);
  const limit = 1024 * 1024;
  const manager = new LockManager({ memoryLimitBytes: limit });
  const tree = manager.openTree(1);
  let maxBytes = 0;
  let refused = 0;
  const start = performance.now();
  for (let i = 0; i < requests; i++) {
    const txn = 1 + (i % 100);
    const seq = Math.floor(i / 100);
    const key = Uint8Array.of(txn, seq >>> 16, (seq >>> 8) & 0xff, seq & 0xff);
    try {
      tree.tryAcquire(txn, key, key, 'exclusive');
    } catch {
      refused += 1;
    }
    if (manager.memoryBytes > maxBytes) maxBytes = manager.memoryBytes;
    if (i % 100_000 === 99_999) for (let t = 1; t <= 100; t++) manager.releaseAll(t);
  }
  const rate = (requests * 1000) / (performance.now() - start);
  rows.push([`escalation: ${requests.toLocaleString('en-US')} requests, limit 1 MiB, peak ${(maxBytes / 1024).toFixed(0)} KiB, ${manager.counters.escalations} escalations, ${refused} refused`, rate.toFixed(0), '-', '-', '-']);
  results.escalation_peak_bytes = { value: maxBytes, unit: 'bytes' };
  results.escalation_rate = { value: rate, unit: 'requests/s' };
}

// The machine is shared: the load average (1/5/15 min) says how much of it this run had.
const loadAverage = `${loadAtStart} at start, ${loadavg().map((l) => l.toFixed(2)).join(' ')} at end`;
machine.loadAverage = loadAverage;
console.log(`machine: ${String(machine.cpu)}, ${String(machine.cores)} cores, ${String(machine.memoryGiB)} GiB, ${String(machine.os)}, node ${String(machine.node)}, load average ${loadAverage}${quick ? ' (quick)' : ''}\n`);
console.log('ops/s: median of alternating rounds, wall clock; in brackets, per CPU-second of this process.\n');
console.log('| case | Lockstep ops/s | Map table ops/s | async-lock ops/s | Lockstep / async-lock |');
console.log('| --- | --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(JSON.stringify({ package: '@lockstep/locktree', machine, results }));
