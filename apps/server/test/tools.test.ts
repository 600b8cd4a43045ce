// Real MariaDB tools against the server: the mariadb CLI in batch mode and sysbench.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerHandle } from '../src/server.js';
import { connect, ensureApt, startTestServer, tempDir } from './helpers.js';

const clientMissing = ensureApt('mariadb-client');
if (clientMissing !== undefined) console.warn(`skipping mariadb CLI tests: ${clientMissing}`);
const sysbenchMissing = ensureApt('sysbench');
if (sysbenchMissing !== undefined) console.warn(`skipping sysbench tests: ${sysbenchMissing}`);
/** Seconds each sysbench run lasts (raise with LOCKSTEP_SYSBENCH_SECONDS). */
const SYSBENCH_SECONDS = Number(process.env.LOCKSTEP_SYSBENCH_SECONDS ?? 3);

function run(command: string, args: readonly string[], input?: string, timeoutMs = 60_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

describe('real clients', () => {
  const dir = tempDir();
  let server: ServerHandle;

  beforeAll(async () => {
    server = await startTestServer(dir.path, ['--user', 'root', '--user', 'sb:sbpass']);
  });

  afterAll(async () => {
    await server.stop();
    dir.remove();
  });

  it.skipIf(clientMissing !== undefined)('the mariadb CLI in batch mode', async () => {
    const script = [
      'CREATE DATABASE cli;',
      'USE cli;',
      'CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20), d DATETIME, b BLOB);',
      "INSERT INTO t VALUES (1, 'one', '2024-01-02 03:04:05', 'x'), (2, NULL, NULL, NULL);",
      'SELECT id, name, d FROM t ORDER BY id;',
      'SHOW TABLES;',
      'SELECT @@gtid_binlog_pos IS NOT NULL AS has_pos;',
    ].join('\n');
    const result = await run('mariadb', ['--no-defaults', '-h', server.host, '-P', String(server.port), '-uroot', '--batch'], script);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('id\tname\td\n1\tone\t2024-01-02 03:04:05\n2\tNULL\tNULL\n');
    expect(result.stdout).toContain('Tables_in_cli\nt\n');
    expect(result.stdout).toContain('has_pos\n1\n');
    const wrong = await run('mariadb', ['--no-defaults', '-h', server.host, '-P', String(server.port), '-usb', '-pnope', '--batch', '-e', 'SELECT 1']);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toContain('1045');
  });

  it.skipIf(sysbenchMissing !== undefined)(
    'sysbench 1.0.20: prepare, oltp_read_write / oltp_write_only / oltp_point_select at 16 threads, cleanup — no errors',
    async () => {
      const common = ['--db-driver=mysql', `--mysql-host=${server.host}`, `--mysql-port=${String(server.port)}`, '--mysql-user=sb', '--mysql-password=sbpass', '--mysql-db=sbtest', '--tables=2', '--table-size=2000'];
      const setup = await run('mariadb', ['--no-defaults', '-h', server.host, '-P', String(server.port), '-uroot', '-e', 'CREATE DATABASE sbtest']);
      expect(setup.stderr).toBe('');
      const prepare = await run('sysbench', ['oltp_read_write', ...common, '--threads=2', 'prepare']);
      expect(prepare.stderr).toBe('');
      expect(prepare.status).toBe(0);
      for (const test of ['oltp_read_write', 'oltp_write_only', 'oltp_point_select']) {
        const result = await run('sysbench', [test, ...common, '--threads=16', `--time=${String(SYSBENCH_SECONDS)}`, '--report-interval=0', 'run'], undefined, (SYSBENCH_SECONDS + 30) * 1000);
        expect(result.stderr, test).not.toMatch(/FATAL|error/i);
        expect(result.status, `${test}\n${result.stdout}`).toBe(0);
        const transactions = Number(/transactions:\s+(\d+)/.exec(result.stdout)?.[1]);
        const ignored = Number(/ignored errors:\s+(\d+)/.exec(result.stdout)?.[1]);
        console.log(`${test}: ${String(transactions)} transactions in ${String(SYSBENCH_SECONDS)} s, ${String(ignored)} ignored errors (deadlocks/lock waits sysbench retries)`);
        expect(transactions).toBeGreaterThan(0);
      }
      const cleanup = await run('sysbench', ['oltp_read_write', ...common, 'cleanup']);
      expect(cleanup.status).toBe(0);
      const tables = await run('mariadb', ['--no-defaults', '-h', server.host, '-P', String(server.port), '-uroot', '--batch', '-e', 'SHOW TABLES FROM sbtest']);
      expect(tables.stdout.trim()).toBe('');
    },
    90_000,
  );
});

describe.skipIf(clientMissing !== undefined)('mariadb-binlog', () => {
  it('decodes the server binlog, and replaying it into a fresh server gives equal tables', async () => {
    const source = tempDir();
    const target = tempDir();
    try {
      const a = await startTestServer(source.path);
      const c = await connect(a);
      await c.query('CREATE DATABASE rep');
      await c.query('CREATE TABLE rep.t (id INT NOT NULL PRIMARY KEY, name VARCHAR(30), big BIGINT UNSIGNED, x DOUBLE, d DATETIME, b BLOB, KEY k (name))');
      for (let i = 0; i < 30; i++) {
        await c.execute('INSERT INTO rep.t VALUES (?, ?, ?, ?, ?, ?)', [i, `name ${String(i)} é`, BigInt(i) * 10_000_000_000n, i / 3, `2024-05-${String(1 + (i % 28)).padStart(2, '0')} 10:00:00`, Buffer.from([i, 0, 255])]);
      }
      await c.query('BEGIN');
      await c.query("UPDATE rep.t SET name = 'changed', x = NULL WHERE id < 5");
      await c.query('DELETE FROM rep.t WHERE id >= 25');
      await c.query('COMMIT');
      const expected = await tableRows(c);
      await c.end();
      await a.stop();

      const files = (await readdir(join(source.path, 'binlog'))).filter((n) => /^binlog\.\d+$/.test(n)).sort().map((n) => join(source.path, 'binlog', n));
      const decoded = await run('mariadb-binlog', ['--no-defaults', ...files]);
      expect(decoded.stderr).toBe('');
      expect(decoded.status).toBe(0);
      expect(decoded.stdout).toMatch(/GTID 0-1-\d+/);
      expect(decoded.stdout).toContain('Table_map: `rep`.`t`');
      expect(decoded.stdout).toContain('Write_rows');

      // Replayed verbatim: mariadb-binlog's preamble includes `SET @@session.collation_database=DEFAULT`.
      const b = await startTestServer(target.path);
      try {
        const script = decoded.stdout;
        expect(script).toContain('SET @@session.collation_database=DEFAULT/*!*/;\n');
        const replay = await run('mariadb', ['--no-defaults', '-h', b.host, '-P', String(b.port), '-uroot'], script);
        expect(replay.stderr).toBe('');
        expect(replay.status).toBe(0);
        const cb = await connect(b);
        expect(await tableRows(cb)).toEqual(expected);
        await cb.end();
      } finally {
        await b.stop();
      }
    } finally {
      source.remove();
      target.remove();
    }
  }, 60_000);
});

async function tableRows(c: Connection): Promise<unknown[]> {
  const [rows] = await c.query<RowDataPacket[]>('SELECT id, name, big, x, d, b FROM rep.t ORDER BY id');
  return rows.map((r) => {
    const d: unknown = r.d;
    return { ...r, d: d instanceof Date ? d.toISOString() : d };
  });
}
