// Real sysbench against Lockstep and MariaDB 10.11 on this machine, in one run, at equal
// durability (binlog fsynced per commit group: sync_binlog=1; InnoDB redo log flushed per
// commit: innodb_flush_log_at_trx_commit=1; ROW binlog on both).
//   npm run bench -w lockstep-server [-- --quick] [-- --seconds=N] [-- --only=lockstep|mariadb]
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AddressInfo, createServer } from 'node:net';
import mysql from 'mysql2/promise';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const serverEntry = join(root, 'apps', 'server', 'dist', 'main.js');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const seconds = Number(args.find((a) => a.startsWith('--seconds='))?.slice(10) ?? (quick ? 4 : 20));
const only = args.find((a) => a.startsWith('--only='))?.slice(7);
const THREADS = 16;
const TABLES = quick ? 2 : 4;
const TABLE_SIZE = quick ? 2_000 : 10_000;
const TESTS = ['oltp_point_select', 'oltp_write_only', 'oltp_read_write'] as const;
const USER = 'bench';
const PASSWORD = 'bench';

interface Result {
  readonly tps: number;
  readonly qps: number;
  readonly p95Ms: number;
  readonly errors: number;
}

interface Running {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => {
        resolve(port);
      });
    });
  });
}

async function waitForLogin(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${String(child.exitCode)}`);
    try {
      const c = await mysql.createConnection({ host: '127.0.0.1', port, user: USER, password: PASSWORD });
      await c.query('SELECT 1');
      await c.end();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function stopChild(child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function startLockstep(datadir: string): Promise<Running> {
  if (!existsSync(serverEntry)) throw new Error(`${serverEntry} is missing: npm run build -w lockstep-server`);
  const port = await freePort();
  const child = spawn(process.execPath, [serverEntry, `--datadir=${datadir}`, `--port=${String(port)}`, `--user=${USER}:${PASSWORD}`, '--log-level=warn', '--max-connections=500'], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForLogin(port, child, 60_000);
  return { name: 'Lockstep', port, child, stop: () => stopChild(child) };
}

async function startMariaDb(datadir: string): Promise<Running> {
  const apt = spawnSync('bash', [join(root, 'scripts', 'ensure-apt.sh'), 'mariadb-server', 'mariadb-client'], { encoding: 'utf8' });
  if (apt.status !== 0) throw new Error(`MariaDB not available: ${apt.stderr.trim()}`);
  const user = userInfo().username;
  const install = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', `--user=${user}`], { encoding: 'utf8', timeout: 180_000 });
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr.slice(-1000)}`);
  writeFileSync(join(datadir, 'init.sql'), `SET sql_log_bin=0;\nCREATE USER IF NOT EXISTS '${USER}'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}';\nGRANT ALL PRIVILEGES ON *.* TO '${USER}'@'127.0.0.1';\n`);
  const port = await freePort();
  const child = spawn(
    '/usr/sbin/mariadbd',
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--socket=${join(datadir, 'sock')}`,
      `--pid-file=${join(datadir, 'pid')}`,
      `--log-error=${join(datadir, 'error.log')}`,
      `--init-file=${join(datadir, 'init.sql')}`,
      `--port=${String(port)}`,
      '--bind-address=127.0.0.1',
      '--skip-name-resolve',
      '--server-id=1',
      `--log-bin=${join(datadir, 'binlog')}`,
      '--binlog-format=ROW',
      '--sync-binlog=1',
      '--innodb-flush-log-at-trx-commit=1',
      '--innodb-buffer-pool-size=512M',
      '--max-connections=500',
      '--max-prepared-stmt-count=100000',
      `--user=${user}`,
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  await waitForLogin(port, child, 120_000);
  return { name: 'MariaDB', port, child, stop: () => stopChild(child) };
}

function sysbench(test: string, port: number, command: 'prepare' | 'run' | 'cleanup', threads: number): string {
  const result = spawnSync(
    'sysbench',
    [
      test,
      '--db-driver=mysql',
      '--mysql-host=127.0.0.1',
      `--mysql-port=${String(port)}`,
      `--mysql-user=${USER}`,
      `--mysql-password=${PASSWORD}`,
      '--mysql-db=sbtest',
      `--tables=${String(TABLES)}`,
      `--table-size=${String(TABLE_SIZE)}`,
      `--threads=${String(threads)}`,
      `--time=${String(seconds)}`,
      '--report-interval=0',
      command,
    ],
    { encoding: 'utf8', timeout: (seconds + 300) * 1000 },
  );
  if (result.status !== 0) throw new Error(`sysbench ${test} ${command} failed (${String(result.status)}):\n${result.stdout.slice(-1500)}\n${result.stderr.slice(-1500)}`);
  return result.stdout;
}

function parse(output: string): Result {
  const num = (re: RegExp): number => Number(re.exec(output)?.[1] ?? Number.NaN);
  return { tps: num(/transactions:\s+\d+\s+\(([\d.]+) per sec/), qps: num(/queries:\s+\d+\s+\(([\d.]+) per sec/), p95Ms: num(/95th percentile:\s+([\d.]+)/), errors: num(/ignored errors:\s+(\d+)/) };
}

async function benchServer(name: 'Lockstep' | 'MariaDB'): Promise<Map<string, Result>> {
  const datadir = mkdtempSync(join(tmpdir(), `bench-${name.toLowerCase()}-`));
  const results = new Map<string, Result>();
  let server: Running | undefined;
  try {
    server = name === 'Lockstep' ? await startLockstep(datadir) : await startMariaDb(datadir);
    const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: USER, password: PASSWORD });
    await c.query('CREATE DATABASE IF NOT EXISTS sbtest');
    await c.end();
    const t0 = Date.now();
    sysbench('oltp_read_write', server.port, 'prepare', TABLES);
    process.stderr.write(`${name}: prepared ${String(TABLES)} x ${String(TABLE_SIZE)} rows in ${String(Date.now() - t0)} ms\n`);
    for (const test of TESTS) {
      const r = parse(sysbench(test, server.port, 'run', THREADS));
      process.stderr.write(`${name} ${test}: ${r.tps.toFixed(0)} tps, ${r.qps.toFixed(0)} qps, p95 ${String(r.p95Ms)} ms, ${String(r.errors)} ignored errors\n`);
      results.set(test, r);
    }
    sysbench('oltp_read_write', server.port, 'cleanup', 1);
  } finally {
    await server?.stop();
    rmSync(datadir, { recursive: true, force: true });
  }
  return results;
}

const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 1024 ** 3), node: process.version, loadAverageStart: loadavg().map((x) => Number(x.toFixed(2))) };
process.stderr.write(`machine: ${JSON.stringify(machine)}\n`);
const lockstep = only === 'mariadb' ? new Map<string, Result>() : await benchServer('Lockstep').catch((error: unknown) => {
  process.stderr.write(`Lockstep failed: ${error instanceof Error ? error.message : String(error)}\n`);
  return new Map<string, Result>();
});
const mariadb = only === 'lockstep' ? new Map<string, Result>() : await benchServer('MariaDB').catch((error: unknown) => {
  process.stderr.write(`MariaDB failed: ${error instanceof Error ? error.message : String(error)}\n`);
  return new Map<string, Result>();
});
const loadAverageEnd = loadavg().map((x) => Number(x.toFixed(2)));

const fmt = (r: Result | undefined, key: keyof Result): string => (r === undefined || Number.isNaN(r[key]) ? '—' : key === 'p95Ms' ? r[key].toFixed(2) : r[key].toFixed(0));
console.log(`\nsysbench 1.0.20, ${String(THREADS)} threads, ${String(seconds)} s per test, ${String(TABLES)} tables x ${String(TABLE_SIZE)} rows; sync_binlog=1 + innodb_flush_log_at_trx_commit=1 vs Lockstep (binlog fsync per group)`);
console.log(`machine: ${machine.cpu}, ${String(machine.cores)} cores, ${String(machine.memoryGiB)} GiB, Node ${machine.node}, load ${machine.loadAverageStart.join(' ')} → ${loadAverageEnd.join(' ')}\n`);
console.log('| test | Lockstep tps | MariaDB tps | Lockstep / MariaDB | Lockstep p95 ms | MariaDB p95 ms | Lockstep errors | MariaDB errors |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
const json: Record<string, { value: number; unit: string }> = {};
for (const test of TESTS) {
  const l = lockstep.get(test);
  const m = mariadb.get(test);
  const ratio = l !== undefined && m !== undefined ? (l.tps / m.tps).toFixed(2) : '—';
  console.log(`| ${test} | ${fmt(l, 'tps')} | ${fmt(m, 'tps')} | ${ratio} | ${fmt(l, 'p95Ms')} | ${fmt(m, 'p95Ms')} | ${fmt(l, 'errors')} | ${fmt(m, 'errors')} |`);
  if (l !== undefined) json[`lockstep.${test}`] = { value: l.tps, unit: 'tps' };
  if (m !== undefined) json[`mariadb.${test}`] = { value: m.tps, unit: 'tps' };
  if (l !== undefined && m !== undefined) json[`ratio.${test}`] = { value: l.tps / m.tps, unit: 'x' };
}
console.log(JSON.stringify({ package: 'lockstep-server', machine: { ...machine, loadAverageEnd }, results: json }));
