// "Ours vs the peer measured in the same run", read from each package's JSON line by the
// figure names those benchmarks print. A figure missing from a run is simply not shown.
import type { BenchResultLine } from './report.js';

export interface PeerRatio {
  readonly package: string;
  readonly comparison: string;
  readonly ours: number;
  readonly peer: number;
  readonly unit: string;
}

type Results = BenchResultLine['results'];

function pair(out: PeerRatio[], pkg: string, results: Results, comparison: string, ours: string, peer: string): void {
  const a = results[ours];
  const b = results[peer];
  if (a !== undefined && b !== undefined && b.value > 0) out.push({ package: pkg, comparison, ours: a.value, peer: b.value, unit: a.unit });
}

export function peerRatios(lines: readonly BenchResultLine[]): PeerRatio[] {
  const out: PeerRatio[] = [];
  for (const line of lines) {
    const r = line.results;
    const p = line.package;
    switch (p) {
      case '@lockstep/locktree':
        pair(out, p, r, 'uncontended lock+release: Lockstep tryAcquire vs async-lock', 'uncontended_try', 'async_lock_uncontended');
        pair(out, p, r, 'uncontended lock+release: Lockstep await acquire vs async-lock', 'uncontended_acquire', 'async_lock_uncontended');
        pair(out, p, r, 'uncontended lock+release: Lockstep tryAcquire vs a plain Map table', 'uncontended_try', 'map_table');
        pair(out, p, r, '64 tasks on 16 hot keys: Lockstep vs async-lock', 'hot_64_tasks_16_keys', 'async_lock_hot');
        break;
      case '@lockstep/kv':
        for (const what of ['point reads', 'batched writes', 'synced writes 64 writers']) {
          pair(out, p, r, `${what}: kv vs classic-level`, `@lockstep/kv ${what}`, `classic-level ${what}`);
          pair(out, p, r, `${what}: kv vs lmdb`, `@lockstep/kv ${what}`, `lmdb ${what}`);
        }
        break;
      case '@lockstep/tc':
        for (const name of Object.keys(r)) {
          const match = /^(?:([a-z]+)_)??group_commit_(\d+)$/.exec(name);
          if (match === null) continue;
          const prefix = match[1] === undefined ? '' : `${match[1]}_`;
          const what = match[1] === undefined ? '' : ` (${match[1]})`;
          pair(out, p, r, `${match[2]!} committers${what}: group commit vs one fsync per commit`, name, `${prefix}naive_${match[2]!}`);
          pair(out, p, r, `${match[2]!} committers${what}: group commit vs CPU-bound (fsync skipped)`, name, `${prefix}cpu_bound_${match[2]!}`);
        }
        break;
      case '@lockstep/replication':
        for (const name of Object.keys(r)) {
          const match = /^([a-z]+(?:-keyaware|-speculative)?)-w(\d+)$/.exec(name);
          if (match !== null && match[1] !== 'none') pair(out, p, r, `${match[1]!} x${match[2]!} vs serial (none)`, name, 'none-w1');
        }
        break;
      case '@lockstep/txn':
        pair(out, p, r, 'range locking vs point locking (transactions/s)', 'range_tps', 'point_tps');
        break;
      case '@lockstep/bench/e2e':
        for (const name of Object.keys(r)) {
          if (!name.startsWith('lockstep.') || r[name]!.unit !== 'txn/s') continue;
          pair(out, p, r, `${name.slice('lockstep.'.length)}: Lockstep vs MariaDB`, name, `mariadb.${name.slice('lockstep.'.length)}`);
        }
        for (const name of Object.keys(r)) {
          const match = /^mariadb\.catchup\.([a-z]+)-w(\d+)$/.exec(name);
          if (match !== null && match[2] !== '0') pair(out, p, r, `MariaDB replica catch-up ${match[1]!} x${match[2]!} vs serial`, name, 'mariadb.catchup.none-w0');
        }
        break;
      default:
        for (const name of Object.keys(r)) if (name.endsWith('.peer')) pair(out, p, r, `${name.slice(0, -'.peer'.length)}: ours vs peer`, name.slice(0, -'.peer'.length), name);
    }
  }
  return out;
}

/** Figures that are latencies (p50/p95/p99, ms or µs), for the latency table. */
export function latencyFigures(lines: readonly BenchResultLine[]): { package: string; name: string; value: number; unit: string }[] {
  const out: { package: string; name: string; value: number; unit: string }[] = [];
  for (const line of lines) {
    for (const [name, { value, unit }] of Object.entries(line.results)) {
      if (/p50|p95|p99/i.test(name) && (unit === 'ms' || unit === 'µs')) out.push({ package: line.package, name, value, unit });
    }
  }
  return out;
}
