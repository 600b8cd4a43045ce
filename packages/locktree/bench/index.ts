// Lock manager throughput beside a plain Map point-lock table and the async-lock package,
// in one run. Usage: npm run bench -w @lockstep/locktree [-- --quick]
import { cpus, platform, release, totalmem } from 'node:os';
import AsyncLock from 'async-lock';
import { Random } from '@lockstep/base';
import { LockManager } from '../src/index.js';

const quick = process.argv.includes('--quick');
const scale = quick ? 0.1 : 1;
const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), os: `${platform()} ${release()}`, node: process.version };
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

async function timeAsync(ops: number, body: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await body();
  return (ops * 1000) / (performance.now() - start);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

// ---- 1. uncontended point lock + release

{
  const n = Math.round(2_000_000 * scale);
  const manager = new LockManager();
  const tree = manager.openTree(1);
  timeIt(n / 10, () => {
    for (let i = 0; i < n / 10; i++) {
      const key = keys[i % keyCount]!;
      tree.tryAcquire(i, key, key, 'exclusive');
      manager.releaseAll(i);
    }
  }); // warm-up
  const ours = timeIt(n, () => {
    for (let i = 0; i < n; i++) {
      const key = keys[i % keyCount]!;
      tree.tryAcquire(i, key, key, 'exclusive');
      manager.releaseAll(i);
    }
  });
  const oursAsync = await timeAsync(n, async () => {
    for (let i = 0; i < n; i++) {
      const key = keys[i % keyCount]!;
      await tree.acquirePoint(i, key, 'exclusive');
      manager.releaseAll(i);
    }
  });
  const table = new Map<string, number>();
  const mapRate = timeIt(n, () => {
    for (let i = 0; i < n; i++) {
      const key = keyStrings[i % keyCount]!;
      if (!table.has(key)) table.set(key, i);
      table.delete(key);
    }
  });
  const asyncLock = new AsyncLock({ maxPending: 1_000_000 });
  const asyncLockRate = await timeAsync(n / 4, async () => {
    for (let i = 0; i < n / 4; i++) await asyncLock.acquire(keyStrings[i % keyCount]!, () => undefined);
  });
  rows.push(['uncontended lock+release (try, sync)', ours.toFixed(0), mapRate.toFixed(0), asyncLockRate.toFixed(0), (ours / asyncLockRate).toFixed(2)]);
  rows.push(['uncontended lock+release (await acquire)', oursAsync.toFixed(0), mapRate.toFixed(0), asyncLockRate.toFixed(0), (oursAsync / asyncLockRate).toFixed(2)]);
  results.uncontended_try = { value: ours, unit: 'lock+release/s' };
  results.uncontended_acquire = { value: oursAsync, unit: 'lock+release/s' };
  results.map_table = { value: mapRate, unit: 'lock+release/s' };
  results.async_lock_uncontended = { value: asyncLockRate, unit: 'lock+release/s' };
}

// ---- 2. 64 tasks on 16 hot keys

{
  const tasks = 64;
  const perTask = Math.round(20_000 * scale);
  const hot = keys.slice(0, 16);
  const manager = new LockManager({ lockWaitTimeoutMs: 10_000 });
  const tree = manager.openTree(1);
  const waits: number[] = [];
  let txn = 0;
  let random = new Random(12345);
  const next = (): number => random.nextUint32();
  const ours = await timeAsync(tasks * perTask, async () => {
    await Promise.all(
      Array.from({ length: tasks }, async () => {
        for (let i = 0; i < perTask; i++) {
          const id = ++txn;
          const key = hot[next() % 16]!;
          const t0 = performance.now();
          await tree.acquirePoint(id, key, 'exclusive');
          waits.push(performance.now() - t0);
          await Promise.resolve(); // the transaction's work
          manager.releaseAll(id);
        }
      }),
    );
  });
  const asyncLock = new AsyncLock({ maxPending: 1_000_000 });
  const theirWaits: number[] = [];
  random = new Random(12345);
  const theirs = await timeAsync(tasks * perTask, async () => {
    await Promise.all(
      Array.from({ length: tasks }, async () => {
        for (let i = 0; i < perTask; i++) {
          const key = keyStrings[next() % 16]!;
          const t0 = performance.now();
          await asyncLock.acquire(key, async () => {
            theirWaits.push(performance.now() - t0);
            await Promise.resolve();
          });
        }
      }),
    );
  });
  waits.sort((a, b) => a - b);
  theirWaits.sort((a, b) => a - b);
  rows.push([`64 tasks / 16 hot keys (p50/p99 wait ${(quantile(waits, 0.5) * 1000).toFixed(0)}/${(quantile(waits, 0.99) * 1000).toFixed(0)} µs vs ${(quantile(theirWaits, 0.5) * 1000).toFixed(0)}/${(quantile(theirWaits, 0.99) * 1000).toFixed(0)} µs; timeouts ${manager.counters.timeouts})`, ours.toFixed(0), '-', theirs.toFixed(0), (ours / theirs).toFixed(2)]);
  results.hot_64_tasks_16_keys = { value: ours, unit: 'lock+release/s' };
  results.async_lock_hot = { value: theirs, unit: 'lock+release/s' };
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

console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, node ${machine.node}${quick ? ' (quick)' : ''}\n`);
console.log('| case | Lockstep ops/s | Map table ops/s | async-lock ops/s | Lockstep / async-lock |');
console.log('| --- | --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(JSON.stringify({ package: '@lockstep/locktree', machine, results }));
