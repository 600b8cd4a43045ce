// Writes every chart whose results are at hand as <name>.svg and <name>.png.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { BenchResultLine } from '../report.js';
import { renderChart } from './render.js';
import { applyRateSpec, catchUpPoints, commitPoints, commitsPerFsyncSpec, commitThroughputSpec, lockBars, lockThroughputSpec, replicationApplyPoints } from './specs.js';

export interface WrittenChart {
  readonly name: string;
  readonly title: string;
  /** File names relative to the output directory. */
  readonly svg: string;
  readonly png: string;
}

/** Result lines by package name (`@lockstep/tc`, `@lockstep/bench/e2e`, ...). */
export type ResultsByPackage = ReadonlyMap<string, BenchResultLine>;

/** The charts the results allow, as specs (no rendering). */
export function chartSpecs(results: ResultsByPackage, subtitle: string): { name: string; title: string; spec: TopLevelSpec }[] {
  const charts: { name: string; title: string; spec: TopLevelSpec }[] = [];
  const replication = results.get('@lockstep/replication');
  if (replication !== undefined) {
    const points = replicationApplyPoints(replication);
    if (points.length > 0) {
      const real = replication.machine?.target === 'real';
      const title = `Replica apply rate vs workers, one line per mode (@lockstep/replication, ${real ? 'real stack: txn over kv, binlog, fsyncs' : 'simulated apply target'})`;
      charts.push({ name: 'replica-apply-rate', title, spec: applyRateSpec(points, title, subtitle) });
    }
  }
  const e2e = results.get('@lockstep/bench/e2e');
  if (e2e !== undefined) {
    const points = catchUpPoints(e2e);
    if (points.length > 0) {
      const title = 'Replica catch-up rate vs workers, one line per mode (real servers, sysbench oltp_write_only history)';
      charts.push({ name: 'replica-catch-up-e2e', title, spec: applyRateSpec(points, title, subtitle) });
    }
  }
  const tc = results.get('@lockstep/tc');
  if (tc !== undefined) {
    const { throughput, perFsync, workload } = commitPoints(tc);
    const title = `Commit throughput vs concurrency (@lockstep/tc${workload === undefined ? '' : `, ${workload} transactions`})`;
    if (throughput.length > 0) charts.push({ name: 'commit-throughput', title, spec: commitThroughputSpec(throughput, title, subtitle) });
    if (perFsync.length > 0) charts.push({ name: 'commits-per-fsync', title: 'Commits per fsync vs concurrency (@lockstep/tc)', spec: commitsPerFsyncSpec(perFsync, subtitle) });
  }
  const locktree = results.get('@lockstep/locktree');
  if (locktree !== undefined) {
    const bars = lockBars(locktree);
    if (bars.length > 0) charts.push({ name: 'lock-throughput', title: 'Lock throughput vs peers (@lockstep/locktree)', spec: lockThroughputSpec(bars, subtitle) });
  }
  return charts;
}

/** Renders each chart into `outDir/<name>.svg` and `.png`. */
export async function writeCharts(results: ResultsByPackage, outDir: string, subtitle: string): Promise<WrittenChart[]> {
  mkdirSync(outDir, { recursive: true });
  const written: WrittenChart[] = [];
  for (const { name, title, spec } of chartSpecs(results, subtitle)) {
    const { svg, png } = await renderChart(spec);
    writeFileSync(join(outDir, `${name}.svg`), svg);
    writeFileSync(join(outDir, `${name}.png`), png);
    written.push({ name, title, svg: `${name}.svg`, png: `${name}.png` });
  }
  return written;
}
