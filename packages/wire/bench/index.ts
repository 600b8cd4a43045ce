// Benchmark: round trips/s and server CPU µs per query for a trivial query and a
// prepared-statement execute with a one-row binary result, over loopback with 1 and 64
// mysql2 client connections, against three servers in child processes:
//   lockstep — this package's server; mysql2 — mysql2's createServer; raw — prebuilt
//   answers on a bare socket (the floor: what node:net alone costs per round trip).
// Usage: npm run bench -w @lockstep/wire [-- --quick]
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';

const quick = process.argv.includes('--quick');
const durationMs = quick ? 400 : 3_000;
const warmupMs = quick ? 150 : 800;
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
const table: string[] = ['| workload | server | round trips/s | server CPU µs/query | CPU vs raw |', '|---|---|---:|---:|---:|'];
for (const workload of workloads) {
  const label = `${workload.name} x${workload.connections}`;
  let rawCpu = 0;
  for (const kind of servers) {
    const child = await startChild(kind);
    try {
      const r = await run(child, workload);
      if (kind === 'raw') rawCpu = r.cpuUsPerOp;
      const added = kind === 'raw' ? '' : `+${(r.cpuUsPerOp - rawCpu).toFixed(1)} µs`;
      table.push(`| ${label} | ${kind} | ${Math.round(r.opsPerSec)} | ${r.cpuUsPerOp.toFixed(1)} | ${added} |`);
      results[`${workload.name}_${workload.connections}_${kind}_rt`] = { value: Math.round(r.opsPerSec), unit: 'round trips/s' };
      results[`${workload.name}_${workload.connections}_${kind}_cpu`] = { value: Math.round(r.cpuUsPerOp * 100) / 100, unit: 'server CPU µs/query' };
    } finally {
      child.process.stdin!.end();
      child.lines.close();
    }
  }
}
console.log(table.join('\n'));
console.log(JSON.stringify({ package: '@lockstep/wire', machine, results }));
