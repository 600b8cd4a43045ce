// Real sysbench 1.0.20 (Debian package) against any MySQL-protocol server, with its
// bundled OLTP scripts, and a parser for what it prints.
import { spawn } from 'node:child_process';
import type { Endpoint } from '../servers/server-process.js';

export type SysbenchScript = 'oltp_point_select' | 'oltp_write_only' | 'oltp_read_write';

export interface SysbenchOptions {
  readonly script: SysbenchScript;
  readonly threads: number;
  /** Stop after this many seconds (0: no time limit, then `events` must be set). */
  readonly timeSeconds: number;
  /** Stop after this many transactions (0: no limit). */
  readonly events?: number;
  readonly tables?: number;
  readonly tableSize?: number;
  readonly seed?: number;
  /** Kills sysbench past this (a bound on every run). */
  readonly timeoutMs: number;
}

export interface SysbenchResult {
  readonly transactions: number;
  readonly tps: number;
  readonly queries: number;
  readonly qps: number;
  readonly ignoredErrors: number;
  readonly reconnects: number;
  readonly seconds: number;
  readonly latencyMs: { readonly avg: number; readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
  readonly output: string;
}

export class SysbenchError extends Error {
  readonly code = 'SYSBENCH_FAILED';
  constructor(message: string, readonly output: string) {
    super(`${message}\n${output.split('\n').slice(-15).join('\n')}`);
    this.name = 'SysbenchError';
  }
}

function connectionArgs(endpoint: Endpoint): string[] {
  return [
    '--db-driver=mysql',
    `--mysql-host=${endpoint.host}`,
    `--mysql-port=${endpoint.port}`,
    `--mysql-user=${endpoint.user}`,
    `--mysql-password=${endpoint.password}`,
    '--mysql-db=sbtest',
  ];
}

function tableArgs(options: { readonly tables?: number; readonly tableSize?: number }): string[] {
  return [`--tables=${options.tables ?? 1}`, `--table-size=${options.tableSize ?? 10_000}`];
}

function runSysbench(args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sysbench', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new SysbenchError(`sysbench could not run: ${error.message}`, output));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new SysbenchError(`sysbench ${args.join(' ')} ended with ${String(code ?? signal)}${signal === 'SIGKILL' ? ` (killed after ${timeoutMs} ms)` : ''}`, output));
    });
  });
}

/** `sysbench <script> prepare`: creates and fills sbtestN (CREATE TABLE, bulk INSERT, CREATE INDEX k_N). */
export async function sysbenchPrepare(endpoint: Endpoint, script: SysbenchScript, options: { readonly tables?: number; readonly tableSize?: number; readonly timeoutMs: number }): Promise<void> {
  await runSysbench([script, ...connectionArgs(endpoint), ...tableArgs(options), 'prepare'], options.timeoutMs);
}

/** `sysbench <script> run` with a latency histogram, parsed. */
export async function sysbenchRun(endpoint: Endpoint, options: SysbenchOptions): Promise<SysbenchResult> {
  const args = [
    options.script,
    ...connectionArgs(endpoint),
    ...tableArgs(options),
    `--threads=${options.threads}`,
    `--time=${options.timeSeconds}`,
    `--events=${options.events ?? 0}`,
    `--rand-seed=${options.seed ?? 1}`,
    '--percentile=95',
    '--histogram=on',
    '--report-interval=0',
    'run',
  ];
  return parseSysbenchOutput(await runSysbench(args, options.timeoutMs));
}

function numberAfter(output: string, pattern: RegExp): number {
  const match = pattern.exec(output);
  if (match?.[1] === undefined) throw new SysbenchError(`sysbench output lacks ${pattern.source}`, output);
  return Number(match[1]);
}

/** Percentile from sysbench's histogram rows ("value |*** count"). */
function histogramPercentile(rows: readonly { value: number; count: number }[], q: number): number {
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  let seen = 0;
  for (const row of rows) {
    seen += row.count;
    if (seen >= q * total) return row.value;
  }
  return rows.at(-1)?.value ?? 0;
}

export function parseSysbenchOutput(output: string): SysbenchResult {
  const histogram: { value: number; count: number }[] = [];
  const section = output.split('Latency histogram')[1]?.split('SQL statistics')[0] ?? '';
  for (const line of section.split('\n')) {
    const match = /^\s*([\d.]+)\s+\|\**\s+(\d+)\s*$/.exec(line);
    if (match !== null) histogram.push({ value: Number(match[1]), count: Number(match[2]) });
  }
  const p95Reported = numberAfter(output, /95th percentile:\s+([\d.]+)/);
  return {
    transactions: numberAfter(output, /transactions:\s+(\d+)/),
    tps: numberAfter(output, /transactions:\s+\d+\s+\(([\d.]+) per sec/),
    queries: numberAfter(output, /queries:\s+(\d+)/),
    qps: numberAfter(output, /queries:\s+\d+\s+\(([\d.]+) per sec/),
    ignoredErrors: numberAfter(output, /ignored errors:\s+(\d+)/),
    reconnects: numberAfter(output, /reconnects:\s+(\d+)/),
    seconds: numberAfter(output, /total time:\s+([\d.]+)s/),
    latencyMs: {
      avg: numberAfter(output, /avg:\s+([\d.]+)/),
      p50: histogram.length > 0 ? histogramPercentile(histogram, 0.5) : Number.NaN,
      p95: p95Reported,
      p99: histogram.length > 0 ? histogramPercentile(histogram, 0.99) : Number.NaN,
      max: numberAfter(output, /max:\s+([\d.]+)/),
    },
    output,
  };
}
