import type { MachineDescription } from './machine.js';
import { latencyFigures, peerRatios } from './ratios.js';

/** The one JSON line every package benchmark ends with. */
export interface BenchResultLine {
  readonly package: string;
  readonly machine?: Record<string, unknown>;
  readonly results: Record<string, { readonly value: number; readonly unit: string }>;
}

export interface PackageRun {
  readonly workspace: string;
  readonly ok: boolean;
  /** What the benchmark printed for people (its table), without the JSON line. */
  readonly humanOutput: string;
  readonly result: BenchResultLine | undefined;
  readonly seconds: number;
  /** Where the figures came from when not from this run (e.g. "quick run, 2026-11-25, npm run bench -- --only=x --quick --write"). */
  readonly note?: string;
}

/** Finds the last line of `stdout` that parses as a benchmark result line. */
export function parseResultLine(stdout: string): BenchResultLine | undefined {
  const lines = stdout.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line.startsWith('{"package"')) continue;
    try {
      const parsed = JSON.parse(line) as Partial<BenchResultLine>;
      if (typeof parsed.package === 'string' && typeof parsed.results === 'object') return parsed as BenchResultLine;
    } catch {
      // not a result line after all; keep looking upward
    }
  }
  return undefined;
}

/** The output without result lines and npm's own chatter. */
export function humanPart(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => !line.trim().startsWith('{"package"') && !line.startsWith('> ') && !line.startsWith('npm warn'))
    .join('\n')
    .trim();
}

function formatValue(value: number): string {
  // A benchmark may print NaN or null for a figure it could not measure.
  if (typeof value !== 'number' || !Number.isFinite(value)) return '-';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

export interface ChartLink {
  readonly title: string;
  /** Paths relative to docs/. */
  readonly svg: string;
  readonly png: string;
}

export interface ReportExtras {
  readonly charts?: readonly ChartLink[];
  /** The end-to-end section (bench:mariadb tables), or why it did not run. */
  readonly endToEnd?: string;
}

/** docs/benchmarks.md: the machine, the command, charts, ratios vs peers, latencies, end-to-end runs, and each package's table and figures. */
export function renderMarkdown(machine: MachineDescription, runs: readonly PackageRun[], command: string, date: Date, extras: ReportExtras = {}): string {
  const out: string[] = [];
  out.push('# Lockstep benchmarks', '');
  out.push(`Produced by \`${command}\` on ${date.toISOString().slice(0, 10)}. Every comparison below ran in the same process run as its peer. The machine is shared with other work (see the load average), so figures move by tens of percent between runs; ratios measured in one run are steadier than absolute figures.`, '');
  if (runs.some((r) => r.note?.includes('from `') === true)) out.push('Some sections come from earlier runs (kept in docs/results.json); each says which command and date produced it. The machine line below is from the last full run.', '');
  out.push('## Machine', '');
  out.push('| CPU | cores | memory | OS | Node | fsync p50 / p99 (4 KiB write + fdatasync) | load average at start |');
  out.push('| --- | --- | --- | --- | --- | --- | --- |');
  out.push(`| ${machine.cpu} | ${machine.cores} | ${machine.memoryGiB} GiB | ${machine.os} | ${machine.node} | ${machine.fsyncP50Ms.toFixed(2)} ms / ${machine.fsyncP99Ms.toFixed(2)} ms | ${machine.loadAverage.join(' ')} |`, '');
  const results = runs.map((r) => r.result).filter((r): r is BenchResultLine => r !== undefined);
  const failed = runs.filter((r) => !r.ok);
  if (failed.length > 0) out.push(`**Failed in this run:** ${failed.map((r) => r.workspace).join(', ')} (their output is in their sections below).`, '');

  if (extras.charts !== undefined && extras.charts.length > 0) {
    out.push('## Charts', '');
    for (const chart of extras.charts) out.push(`### ${chart.title}`, '', `![${chart.title}](${chart.svg})`, '', `[PNG](${chart.png}) · [SVG](${chart.svg})`, '');
  }

  const ratios = peerRatios(results);
  if (ratios.length > 0) {
    out.push('## Ratios vs peers (same run)', '');
    out.push('| package | comparison | ours | peer | unit | ratio |', '| --- | --- | --- | --- | --- | --- |');
    for (const r of ratios) out.push(`| ${r.package} | ${r.comparison} | ${formatValue(r.ours)} | ${formatValue(r.peer)} | ${r.unit} | ${(r.ours / r.peer).toFixed(2)}x |`);
    out.push('');
  }
  const latencies = latencyFigures(results);
  if (latencies.length > 0) {
    out.push('## Latencies (p50 / p95 / p99)', '');
    out.push('| package | figure | value | unit |', '| --- | --- | --- | --- |');
    for (const l of latencies) out.push(`| ${l.package} | ${l.name} | ${formatValue(l.value)} | ${l.unit} |`);
    out.push('');
  }
  if (extras.endToEnd !== undefined) out.push('## End to end: real servers over the wire', '', extras.endToEnd, '');

  out.push('## Each package', '');
  for (const run of runs) {
    out.push(`### ${run.workspace}`, '');
    if (!run.ok) out.push(`**The benchmark failed** after ${run.seconds.toFixed(0)} s; its output is below.`, '');
    out.push(`Ran in ${run.seconds.toFixed(0)} s${run.note === undefined ? '' : ` — ${run.note}`}.`, '');
    out.push('```', run.humanOutput, '```', '');
    if (run.result !== undefined) {
      out.push('| figure | value | unit |', '| --- | --- | --- |');
      for (const [name, { value, unit }] of Object.entries(run.result.results)) out.push(`| ${name} | ${formatValue(value)} | ${unit} |`);
      out.push('');
    }
  }
  return out.join('\n');
}
