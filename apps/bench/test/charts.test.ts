import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartFontFile } from '../src/charts/font.js';
import { renderChart } from '../src/charts/render.js';
import { applyRateSpec, catchUpPoints, commitPoints, lockBars, replicationApplyPoints } from '../src/charts/specs.js';
import { chartSpecs, writeCharts } from '../src/charts/write-charts.js';
import type { BenchResultLine } from '../src/report.js';

const replication: BenchResultLine = {
  package: '@lockstep/replication',
  results: {
    'none-w1': { value: 900, unit: 'txn/s' },
    'none-w1-retries': { value: 0, unit: 'retries/1000 txn' },
    'conservative-keyaware-w1': { value: 950, unit: 'txn/s' },
    'conservative-keyaware-w4': { value: 2400, unit: 'txn/s' },
    'conservative-keyaware-w16': { value: 4100, unit: 'txn/s' },
    'optimistic-speculative-w1': { value: 920, unit: 'txn/s' },
    'optimistic-speculative-w4': { value: 2000, unit: 'txn/s' },
    'optimistic-speculative-w16': { value: 1500, unit: 'txn/s' },
    'optimistic-speculative-w16-retries': { value: 110, unit: 'retries/1000 txn' },
  },
};
const tc: BenchResultLine = {
  package: '@lockstep/tc',
  results: {
    fsync_rate: { value: 350, unit: 'fsync/s' },
    group_commit_1: { value: 340, unit: 'commits/s' },
    naive_1: { value: 345, unit: 'commits/s' },
    commits_per_fsync_1: { value: 1, unit: 'commits/fsync' },
    group_commit_16: { value: 5000, unit: 'commits/s' },
    naive_16: { value: 360, unit: 'commits/s' },
    commits_per_fsync_16: { value: 15.2, unit: 'commits/fsync' },
  },
};
const locktree: BenchResultLine = {
  package: '@lockstep/locktree',
  results: {
    uncontended_try: { value: 3e6, unit: 'lock+release/s' },
    map_table: { value: 2e7, unit: 'lock+release/s' },
    async_lock_uncontended: { value: 4e5, unit: 'lock+release/s' },
    hot_64_tasks_16_keys: { value: 6e5, unit: 'lock+release/s' },
    async_lock_hot: { value: 2e5, unit: 'lock+release/s' },
  },
};
const e2e: BenchResultLine = {
  package: '@lockstep/bench/e2e',
  results: {
    'mariadb.catchup.none-w0': { value: 370, unit: 'txn/s' },
    'mariadb.catchup.optimistic-w4': { value: 2300, unit: 'txn/s' },
    'mariadb.catchup.optimistic-w16': { value: 1700, unit: 'txn/s' },
    'mariadb.catchup.optimistic-w16-retried': { value: 76, unit: 'transactions' },
  },
};

describe('chart data from result lines', () => {
  it('reads one point per mode and worker count, drawing serial apply flat', () => {
    const points = replicationApplyPoints(replication);
    expect(points.filter((p) => p.series === 'conservative (key-aware)').map((p) => p.workers)).toEqual([1, 4, 16]);
    expect(points.filter((p) => p.series === 'none').map((p) => [p.workers, p.rate])).toEqual([
      [1, 900],
      [4, 900],
      [16, 900],
    ]);
    expect(points.some((p) => p.rate === 110)).toBe(false); // retries are not rates
    const mariadb = catchUpPoints(e2e);
    expect(mariadb.filter((p) => p.series === 'MariaDB serial (threads 0)').map((p) => p.workers)).toEqual([4, 16]);
    expect(mariadb.find((p) => p.series === 'MariaDB optimistic' && p.workers === 16)?.rate).toBe(1700);
  });

  it("reads the tc benchmark's per-workload names, preferring row transactions, with the fsync-bound limit", () => {
    const line: BenchResultLine = {
      package: '@lockstep/tc',
      results: {
        fsync_rate: { value: 300, unit: 'fsync/s' },
        noop_group_commit_16: { value: 9000, unit: 'commits/s' },
        noop_commits_per_fsync_16: { value: 16, unit: 'commits/fsync' },
        rows_group_commit_16: { value: 3000, unit: 'commits/s' },
        rows_group_commit_sync_write_16: { value: 2900, unit: 'commits/s' },
        rows_naive_16: { value: 310, unit: 'commits/s' },
        rows_cpu_bound_16: { value: 7000, unit: 'commits/s' },
        rows_commits_per_fsync_16: { value: 15, unit: 'commits/fsync' },
        rows_ratio_to_limit_16: { value: 0.6, unit: 'ratio' },
      },
    };
    const { throughput, perFsync, workload } = commitPoints(line);
    expect(workload).toBe('rows');
    expect(throughput.map((p) => [p.series, p.value])).toEqual([
      ['Lockstep group commit', 3000],
      ['group commit, synchronous write', 2900],
      ['one fsync per commit (naive)', 310],
      ['CPU-bound (same stack, fsync skipped)', 7000],
      ['fsync-bound limit (fsync/s x committers)', 4800],
    ]);
    expect(perFsync.map((p) => p.series)).toEqual(['group commit (noop)', 'group commit (rows)']);
  });

  it('reads commit throughput, commits per fsync and lock bars', () => {
    const { throughput, perFsync } = commitPoints(tc);
    expect(throughput).toHaveLength(6); // group and naive at 1 and 16, and the fsync-bound limit at each
    expect(perFsync.map((p) => [p.concurrency, p.value])).toEqual([
      [1, 1],
      [16, 15.2],
    ]);
    expect(lockBars(locktree).map((b) => b.implementation)).toEqual(['Lockstep (tryAcquire)', 'plain Map table', 'async-lock', 'Lockstep (await acquire)', 'async-lock']);
  });

  it('makes a chart only for the results at hand', () => {
    expect(chartSpecs(new Map([['@lockstep/tc', tc]]), 's').map((c) => c.name)).toEqual(['commit-throughput', 'commits-per-fsync']);
    expect(chartSpecs(new Map(), 's')).toEqual([]);
  });
});

describe('rendering', () => {
  it('finds a TrueType font file for resvg', () => {
    expect(readFileSync(chartFontFile()).subarray(0, 4)).toEqual(Buffer.from([0, 1, 0, 0]));
  });

  it('renders a well-formed SVG naming every series and a PNG of the same aspect', async () => {
    const { svg, png } = await renderChart(applyRateSpec(replicationApplyPoints(replication), 'Replica apply rate', 'fixed test data'));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const series of ['none', 'conservative (key-aware)', 'optimistic (speculative)', 'Replica apply rate', 'replica workers']) expect(svg).toContain(series);
    // One line per series: vega writes each as a group of class mark-line.
    expect((svg.match(/<g class="mark-line /g) ?? []).length).toBe(3);
    const buffer = Buffer.from(png);
    expect(buffer.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(buffer.subarray(12, 16).toString('latin1')).toBe('IHDR');
    const pngWidth = buffer.readUInt32BE(16);
    const pngHeight = buffer.readUInt32BE(20);
    const [, svgWidth, svgHeight] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
    expect(pngWidth).toBe(svgWidth! * 2);
    expect(pngHeight).toBe(svgHeight! * 2);
    expect(buffer.subarray(buffer.length - 8, buffer.length - 4).toString('latin1')).toBe('IEND');
  });

  it('writes SVG and PNG files for every chart the results allow', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-charts-'));
    try {
      const written = await writeCharts(
        new Map([
          ['@lockstep/replication', replication],
          ['@lockstep/tc', tc],
          ['@lockstep/locktree', locktree],
          ['@lockstep/bench/e2e', e2e],
        ]),
        dir,
        'fixed test data',
      );
      expect(written.map((c) => c.name)).toEqual(['replica-apply-rate', 'replica-catch-up-e2e', 'commit-throughput', 'commits-per-fsync', 'lock-throughput']);
      expect(readFileSync(join(dir, 'lock-throughput.svg'), 'utf8')).toContain('async-lock');
      expect(readFileSync(join(dir, 'commit-throughput.svg'), 'utf8')).toContain('one fsync per commit (naive)');
      expect(readFileSync(join(dir, 'replica-catch-up-e2e.svg'), 'utf8')).toContain('MariaDB optimistic');
      expect(readFileSync(join(dir, 'commits-per-fsync.png')).subarray(1, 4).toString('latin1')).toBe('PNG');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
