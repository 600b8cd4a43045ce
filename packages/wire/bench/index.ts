// Benchmark: round trips/s and server CPU µs per query for a trivial query and a
// prepared-statement execute with a one-row binary result, over loopback with 1 and 64
// mysql2 client connections, against three servers in child processes:
//   lockstep — this package's server; mysql2 — mysql2's createServer; raw — prebuilt
//   answers on a bare socket (the floor: what node:net alone costs per round trip).
// Usage: npm run build -w @lockstep/wire && npm run bench -w @lockstep/wire [-- --quick]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { codecNsPerOp } from './codec.js';

if (!existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)))) {
  console.error('@lockstep/wire bench: build first (npm run build -w @lockstep/wire); the servers run the built package');
  process.exit(1);
}

const quick = process.argv.includes('--quick');
const durationMs = quick ? 400 : 1_500;
const warmupMs = quick ? 150 : 500;
/** Rounds per workload; servers take turns within a round so load from other processes hits all alike. The median is reported. */
const rounds = quick ? 1 : 5;
const servers = ['raw', 'lockstep', 'mysql2'] as const;
const workloads = [
  { name: 'query', connections: 1 },
  { name: 'query', connections: 64 },
  { name: 'execute', connections: 1 },
  { name: 'execute', connections: 64 },
] as const;

interface Child {
  process: ChildProcess;
  lines: Interface;
  port: number;
  next(): Promise<string>;
}

async function startChild(kind: string): Promise<Child> {
  const script = fileURLToPath(new URL('./server-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, kind], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  lines.on('line', (line) => {
    const w = waiters.shift();
    if (w !== undefined) w(line);
    else queue.push(line);
  });
  const next = (): Promise<string> => {
    const line = queue.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve) => waiters.push(resolve));
  };
  const { port } = JSON.parse(await next()) as { port: number };
  return { process: child, lines, port, next };
}

async function cpuMicros(child: Child): Promise<number> {
  child.process.stdin!.write('cpu\n');
  const usage = JSON.parse(await child.next()) as { user: number; system: number };
  return usage.user + usage.system;
}

async function run(child: Child, workload: (typeof workloads)[number]): Promise<{ opsPerSec: number; cpuUsPerOp: number }> {
  const conns = await Promise.all(
    Array.from({ length: workload.connections }, () => mysql.createConnection({ host: '127.0.0.1', port: child.port, user: 'root', password: 'pw' })),
  );
  const once = (c: mysql.Connection): Promise<unknown> => (workload.name === 'query' ? c.query('select 1') : c.execute('select ?', ['a']));
  const loop = async (c: mysql.Connection, until: number, counter: { n: number }): Promise<void> => {
    while (performance.now() < until) {
      await once(c);
      counter.n += 1;
    }
  };
  await Promise.all(conns.map((c) => loop(c, performance.now() + warmupMs, { n: 0 })));
  const counter = { n: 0 };
  const cpuBefore = await cpuMicros(child);
  const start = performance.now();
  await Promise.all(conns.map((c) => loop(c, start + durationMs, counter)));
  const elapsed = performance.now() - start;
  const cpuAfter = await cpuMicros(child);
  await Promise.all(conns.map((c) => c.end()));
  return { opsPerSec: (counter.n / elapsed) * 1000, cpuUsPerOp: (cpuAfter - cpuBefore) / counter.n };
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  freeMemoryGiB: Math.round(freemem() / 2 ** 30),
  node: process.version,
  loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
};
console.log(`machine: ${JSON.stringify(machine)}${quick ? ' (quick run)' : ''}`);

const results: Record<string, { value: number; unit: string }> = {};

// 1. The codec alone (no sockets): what decoding an execute and encoding its answer costs.
const wire = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');
const codec = codecNsPerOp(wire, quick ? 20_000 : 300_000);
console.log('| codec only (decode COM_STMT_EXECUTE + encode a one-row binary result) | ns/op |\n|---|---:|');
console.log(`| lockstep | ${codec.lockstep.toFixed(0)} |\n| mysql2's server-side packet classes | ${codec.mysql2.toFixed(0)} (${(codec.mysql2 / codec.lockstep).toFixed(1)}x) |\n`);
results.codec_execute_lockstep = { value: Math.round(codec.lockstep), unit: 'ns/op' };
results.codec_execute_mysql2 = { value: Math.round(codec.mysql2), unit: 'ns/op' };

// 2. Over loopback, servers in child processes.
const table: string[] = ['| workload | server | round trips/s | server CPU µs/query | CPU above raw |', '|---|---|---:|---:|---:|'];
const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const children = new Map<string, Child>();
for (const kind of servers) children.set(kind, await startChild(kind));
try {
  for (const workload of workloads) {
    const label = `${workload.name} x${workload.connections}`;
    const samples = new Map<string, { rt: number[]; cpu: number[] }>(servers.map((k) => [k, { rt: [], cpu: [] }]));
    for (let round = 0; round < rounds; round++) {
      for (const kind of servers) {
        const r = await run(children.get(kind)!, workload);
        samples.get(kind)!.rt.push(r.opsPerSec);
        samples.get(kind)!.cpu.push(r.cpuUsPerOp);
      }
    }
    const rawCpu = median(samples.get('raw')!.cpu);
    for (const kind of servers) {
      const rt = median(samples.get(kind)!.rt);
      const cpu = median(samples.get(kind)!.cpu);
      const added = kind === 'raw' ? '' : `+${(cpu - rawCpu).toFixed(1)} µs`;
      table.push(`| ${label} | ${kind} | ${Math.round(rt)} | ${cpu.toFixed(1)} | ${added} |`);
      results[`${workload.name}_${workload.connections}_${kind}_rt`] = { value: Math.round(rt), unit: 'round trips/s' };
      results[`${workload.name}_${workload.connections}_${kind}_cpu`] = { value: Math.round(cpu * 100) / 100, unit: 'server CPU µs/query' };
      if (kind !== 'raw') results[`${workload.name}_${workload.connections}_${kind}_added_cpu`] = { value: Math.round((cpu - rawCpu) * 100) / 100, unit: 'server CPU µs/query above raw' };
    }
  }
} finally {
  for (const child of children.values()) {
    child.process.stdin!.end();
    child.lines.close();
  }
}
machine.loadavg = loadavg().map((x) => Math.round(x * 100) / 100);
console.log(table.join('\n'));
console.log(`load average at the end: ${machine.loadavg.join(' ')}; medians of ${rounds} rounds of ${durationMs} ms`);
console.log(JSON.stringify({ package: '@lockstep/wire', machine, results }));
