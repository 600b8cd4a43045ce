// The project's charts as vega-lite specs, built from benchmark result lines.
import type { TopLevelSpec } from 'vega-lite';
import type { BenchResultLine } from '../report.js';

export interface ApplyPoint {
  /** The line the point belongs to, e.g. "optimistic (key-aware)". */
  readonly series: string;
  readonly workers: number;
  readonly rate: number;
}

export interface CommitPoint {
  readonly series: string;
  readonly concurrency: number;
  readonly value: number;
}

export interface LockBar {
  readonly workload: string;
  readonly implementation: string;
  readonly rate: number;
}

const WIDTH = 560;
const HEIGHT = 320;

/**
 * @lockstep/replication result names: `<mode>[-keyaware|-speculative]-w<workers>`
 * (retry counts end in `-retries` and are skipped). A mode measured at one worker count
 * only (serial `none`) is drawn flat across the other worker counts, since it does not use them.
 */
export function replicationApplyPoints(line: BenchResultLine): ApplyPoint[] {
  const points: ApplyPoint[] = [];
  for (const [name, { value }] of Object.entries(line.results)) {
    const match = /^([a-z]+)(?:-(keyaware|speculative))?-w(\d+)$/.exec(name);
    if (match === null) continue;
    const variant = match[2] === 'keyaware' ? ' (key-aware)' : match[2] === 'speculative' ? ' (speculative)' : '';
    points.push({ series: `${match[1]!}${variant}`, workers: Number(match[3]), rate: value });
  }
  return spreadSingletons(points);
}

/** bench:mariadb result names: `<flavor>.catchup.<mode>-w<threads>`; threads 0 (serial) is drawn flat. */
export function catchUpPoints(line: BenchResultLine): ApplyPoint[] {
  const points: ApplyPoint[] = [];
  for (const [name, { value }] of Object.entries(line.results)) {
    const match = /^([a-z]+)\.catchup\.([a-z]+)-w(\d+)$/.exec(name);
    if (match === null) continue;
    const flavor = match[1] === 'mariadb' ? 'MariaDB' : match[1] === 'lockstep' ? 'Lockstep' : match[1]!;
    const threads = Number(match[3]);
    points.push({ series: `${flavor} ${threads === 0 ? 'serial (threads 0)' : match[2]!}`, workers: threads, rate: value });
  }
  return spreadSingletons(points);
}

function spreadSingletons(points: ApplyPoint[]): ApplyPoint[] {
  const workerCounts = [...new Set(points.filter((p) => p.workers > 0).map((p) => p.workers))].sort((a, b) => a - b);
  const out: ApplyPoint[] = [];
  const bySeries = new Map<string, ApplyPoint[]>();
  for (const p of points) bySeries.set(p.series, [...(bySeries.get(p.series) ?? []), p]);
  for (const [series, list] of bySeries) {
    if (list.length === 1 && workerCounts.length > 1) {
      for (const workers of workerCounts) out.push({ series, workers, rate: list[0]!.rate });
    } else out.push(...list.filter((p) => p.workers > 0));
  }
  return out;
}

const TC_SERIES: Record<string, string> = {
  group_commit: 'Lockstep group commit',
  group_commit_sync_write: 'group commit, synchronous write',
  naive: 'one fsync per commit (naive)',
  cpu_bound: 'CPU-bound (same stack, fsync skipped)',
};

/**
 * @lockstep/tc result names: `[<workload>_]group_commit_<c>`, `..._group_commit_sync_write_<c>`,
 * `..._naive_<c>`, `..._cpu_bound_<c>`, `..._commits_per_fsync_<c>`, and `fsync_rate`.
 * Throughput is drawn for one workload (`rows` when present: real row events), with the
 * fsync-bound limit (fsync/s x committers); commits per fsync for every workload.
 */
export function commitPoints(line: BenchResultLine): { throughput: CommitPoint[]; perFsync: CommitPoint[]; workload: string | undefined } {
  const parsed: { workload: string | undefined; kind: string; concurrency: number; value: number }[] = [];
  for (const [name, { value }] of Object.entries(line.results)) {
    const match = /^(?:([a-z]+)_)??(group_commit_sync_write|group_commit|naive|cpu_bound|commits_per_fsync)_(\d+)$/.exec(name);
    if (match === null) continue;
    parsed.push({ workload: match[1], kind: match[2]!, concurrency: Number(match[3]), value });
  }
  const workloads = [...new Set(parsed.map((p) => p.workload))];
  const chosen = workloads.includes('rows') ? 'rows' : workloads[0];
  const throughput: CommitPoint[] = parsed.filter((p) => p.workload === chosen && p.kind !== 'commits_per_fsync').map((p) => ({ series: TC_SERIES[p.kind]!, concurrency: p.concurrency, value: p.value }));
  const fsyncRate = line.results.fsync_rate?.value;
  if (fsyncRate !== undefined) {
    for (const c of [...new Set(throughput.map((p) => p.concurrency))]) throughput.push({ series: 'fsync-bound limit (fsync/s x committers)', concurrency: c, value: fsyncRate * c });
  }
  const perFsync: CommitPoint[] = parsed.filter((p) => p.kind === 'commits_per_fsync').map((p) => ({ series: p.workload === undefined ? 'group commit' : `group commit (${p.workload})`, concurrency: p.concurrency, value: p.value }));
  return { throughput, perFsync, workload: chosen };
}

/** @lockstep/locktree figures, paired with the peers measured in the same run. */
export function lockBars(line: BenchResultLine): LockBar[] {
  const r = line.results;
  const bars: LockBar[] = [];
  const add = (workload: string, implementation: string, name: string): void => {
    const figure = r[name];
    if (figure !== undefined) bars.push({ workload, implementation, rate: figure.value });
  };
  add('uncontended lock+release', 'Lockstep (tryAcquire)', 'uncontended_try');
  add('uncontended lock+release', 'Lockstep (await acquire)', 'uncontended_acquire');
  add('uncontended lock+release', 'plain Map table', 'map_table');
  add('uncontended lock+release', 'async-lock', 'async_lock_uncontended');
  add('64 tasks, 16 hot keys', 'Lockstep (await acquire)', 'hot_64_tasks_16_keys');
  add('64 tasks, 16 hot keys', 'async-lock', 'async_lock_hot');
  return bars;
}

export function applyRateSpec(points: readonly ApplyPoint[], title: string, subtitle: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle },
    width: WIDTH,
    height: HEIGHT,
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'workers', type: 'quantitative', title: 'replica workers', scale: { type: 'log', base: 2 }, axis: { values: [...new Set(points.map((p) => p.workers))] } },
      y: { field: 'rate', type: 'quantitative', title: 'transactions applied per second' },
      color: { field: 'series', type: 'nominal', title: 'mode' },
    },
  };
}

export function commitThroughputSpec(points: readonly CommitPoint[], title: string, subtitle: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle },
    width: WIDTH,
    height: HEIGHT,
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'concurrency', type: 'quantitative', title: 'concurrent committers', scale: { type: 'log', base: 2 }, axis: { values: [...new Set(points.map((p) => p.concurrency))] } },
      y: { field: 'value', type: 'quantitative', title: 'commits per second (log)', scale: { type: 'log' } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}

export function commitsPerFsyncSpec(points: readonly CommitPoint[], subtitle: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: 'Commits per fsync vs concurrent committers (@lockstep/tc)', subtitle },
    width: WIDTH,
    height: HEIGHT,
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'concurrency', type: 'quantitative', title: 'concurrent committers', scale: { type: 'log', base: 2 }, axis: { values: [...new Set(points.map((p) => p.concurrency))] } },
      y: { field: 'value', type: 'quantitative', title: 'commits per fsync' },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}

export function lockThroughputSpec(bars: readonly LockBar[], subtitle: string): TopLevelSpec {
  // One horizontal bar chart per workload, stacked vertically, each on its own linear
  // axis and labelled with its figure: a log axis cannot draw bars (they start at zero)
  // and would hide the ratios people compare.
  const workloads = [...new Set(bars.map((b) => b.workload))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: 'Lock throughput vs peers (@lockstep/locktree)', subtitle },
    data: { values: bars.map((b) => ({ ...b, label: Math.round(b.rate).toLocaleString('en-US') })) },
    vconcat: workloads.map((workload) => ({
      title: { text: workload, anchor: 'start', fontSize: 13 },
      transform: [{ filter: { field: 'workload', equal: workload } }],
      width: WIDTH - 120,
      height: { step: 26 },
      encoding: {
        y: { field: 'implementation', type: 'nominal', title: null, axis: { labelLimit: 220 } },
        x: { field: 'rate', type: 'quantitative', title: 'lock+release per second', scale: { zero: true }, axis: { format: '~s' } },
      },
      layer: [
        { mark: 'bar', encoding: { color: { field: 'implementation', type: 'nominal', legend: null } } },
        { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { text: { field: 'label', type: 'nominal' } } },
      ],
    })),
    resolve: { scale: { x: 'independent', y: 'independent', color: 'shared' } },
  };
}
