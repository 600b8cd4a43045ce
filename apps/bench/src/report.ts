import type { MachineDescription } from './machine.js';

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
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

/** docs/benchmarks.md: the machine, the command, and each package's table and figures. */
export function renderMarkdown(machine: MachineDescription, runs: readonly PackageRun[], command: string, date: Date): string {
  const out: string[] = [];
  out.push('# Lockstep benchmarks', '');
  out.push(`Produced by \`${command}\` on ${date.toISOString().slice(0, 10)}. Every comparison below ran in the same process run as its peer.`, '');
  out.push('## Machine', '');
  out.push('| CPU | cores | memory | OS | Node | fsync p50 / p99 (4 KiB write + fdatasync) |');
  out.push('| --- | --- | --- | --- | --- | --- |');
  out.push(`| ${machine.cpu} | ${machine.cores} | ${machine.memoryGiB} GiB | ${machine.os} | ${machine.node} | ${machine.fsyncP50Ms.toFixed(2)} ms / ${machine.fsyncP99Ms.toFixed(2)} ms |`, '');
  for (const run of runs) {
    out.push(`## ${run.workspace}`, '');
    if (!run.ok) out.push(`**The benchmark failed** after ${run.seconds.toFixed(0)} s; its output is below.`, '');
    out.push('```', run.humanOutput, '```', '');
    if (run.result !== undefined) {
      out.push('| figure | value | unit |', '| --- | --- | --- |');
      for (const [name, { value, unit }] of Object.entries(run.result.results)) out.push(`| ${name} | ${formatValue(value)} | ${unit} |`);
      out.push('');
    }
  }
  return out.join('\n');
}
