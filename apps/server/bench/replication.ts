// Replica catch-up rate: a primary takes a write load (mysql2, 16 clients, sysbench
// oltp_write_only-like transactions: two UPDATEs by primary key, a DELETE and an INSERT);
// then a fresh replica per mode x workers replicates the whole binlog, and the rate over
// the load part is measured. Lockstep only (no MariaDB replica side by side yet).
//   npx tsx apps/server/bench/replication.ts [--quick] [--txns=N]
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pino from 'pino';
import { parseArguments } from '../src/config/parse-config.js';
import { startServer, type ServerHandle } from '../src/server.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const TXNS = Number(args.find((a) => a.startsWith('--txns='))?.slice(7) ?? (quick ? 1000 : 5000));
const ROWS = quick ? 2000 : 10_000;
const CLIENTS = 16;
const MODES = ['none', 'conservative', 'optimistic', 'aggressive'] as const;
const WORKERS = [4, 16];

async function server(dir: string, flags: string[]): Promise<ServerHandle> {
  const { config } = parseArguments(['--datadir', dir, '--port', '0', '--log-level', 'silent', ...flags], () => '');
  return startServer(config, { logger: pino({ level: 'silent' }) });
}

async function gtid(c: mysql.Connection, name: string): Promise<string> {
  const [rows] = await c.query(`SELECT @@${name} AS p`);
  return String((rows as { p: unknown }[])[0]!.p);
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'lockstep-repl-bench-'));
  const primary = await server(join(root, 'primary'), []);
  const p = await mysql.createConnection({ host: primary.host, port: primary.port, user: 'root' });
  await p.query('CREATE DATABASE sbtest');
  await p.query("CREATE TABLE sbtest.sbtest1 (id INT NOT NULL, k INT NOT NULL DEFAULT 0, c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL DEFAULT '', PRIMARY KEY (id))");
  for (let i = 0; i < ROWS; i += 500) {
    const values = Array.from({ length: 500 }, (_, j) => `(${i + j}, ${(i + j) % 1000}, 'c${i + j}', 'pad')`).join(',');
    await p.query(`INSERT INTO sbtest.sbtest1 VALUES ${values}`);
  }
  const beforeLoad = await gtid(p, 'gtid_binlog_pos');
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => mysql.createConnection({ host: primary.host, port: primary.port, user: 'root' })));
  let next = 0;
  const loadStart = Date.now();
  await Promise.all(
    clients.map(async (c) => {
      for (;;) {
        const i = next++;
        if (i >= TXNS) return;
        const a = (i * 7919) % ROWS;
        const b = (i * 104_729 + 13) % ROWS;
        const d = (i * 15_485_863 + 7) % ROWS;
        for (;;) {
          try {
            await c.query('BEGIN');
            await c.query('UPDATE sbtest.sbtest1 SET k = k + 1 WHERE id = ?', [a]);
            await c.query("UPDATE sbtest.sbtest1 SET c = 'x' WHERE id = ?", [b]);
            await c.query('DELETE FROM sbtest.sbtest1 WHERE id = ?', [d]);
            await c.query("INSERT INTO sbtest.sbtest1 VALUES (?, ?, 'c', 'pad')", [d, i]);
            await c.query('COMMIT');
            break;
          } catch {
            await c.query('ROLLBACK');
          }
        }
      }
    }),
  );
  const primaryTps = TXNS / ((Date.now() - loadStart) / 1000);
  await Promise.all(clients.map((c) => c.end()));
  const end = await gtid(p, 'gtid_binlog_pos');
  const seq = (list: string): number => Number(list.split('-')[2] ?? 0);
  const loadTxns = seq(end) - seq(beforeLoad);

  const results: Record<string, { value: number; unit: string }> = { primary_load: { value: Math.round(primaryTps), unit: 'txn/s' } };
  const table: string[] = ['| mode | workers | catch-up txn/s | vs none-1 | retries |', '| --- | --- | --- | --- | --- |'];
  let baseline = 0;
  for (const mode of MODES) {
    for (const workers of mode === 'none' ? [1] : WORKERS) {
      const dir = join(root, `replica-${mode}-${workers}`);
      const replica = await server(dir, ['--server-id', '2', '--slave-parallel-mode', mode, '--slave-parallel-threads', String(workers)]);
      const r = await mysql.createConnection({ host: replica.host, port: replica.port, user: 'root' });
      await r.query(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='root'`);
      await r.query('START SLAVE');
      let loadFrom = 0;
      for (;;) {
        const at = await gtid(r, 'gtid_slave_pos');
        if (loadFrom === 0 && seq(at) >= seq(beforeLoad)) loadFrom = Date.now();
        if (at === end) break;
        await new Promise((res) => setTimeout(res, 5));
      }
      const rate = loadTxns / ((Date.now() - loadFrom) / 1000);
      const [status] = await r.query('SHOW SLAVE STATUS');
      const retries = Number((status as { Retried_transactions: unknown }[])[0]!.Retried_transactions);
      if (mode === 'none') baseline = rate;
      table.push(`| ${mode} | ${workers} | ${Math.round(rate)} | ${(rate / baseline).toFixed(2)}x | ${retries} |`);
      results[`${mode}_${workers}`] = { value: Math.round(rate), unit: 'txn/s' };
      await r.query('STOP SLAVE');
      await r.end();
      await replica.stop();
    }
  }
  await p.end();
  await primary.stop();
  rmSync(root, { recursive: true, force: true });
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 1024 ** 3), node: process.version, loadavg: loadavg().map((l) => Number(l.toFixed(2))) };
  console.log(`machine: ${JSON.stringify(machine)}`);
  console.log(`load: ${loadTxns} transactions on ${ROWS} rows, ${CLIENTS} clients, primary ${Math.round(primaryTps)} txn/s`);
  console.log(table.join('\n'));
  console.log(JSON.stringify({ package: 'lockstep-server', bench: 'replication-catch-up', machine, results }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
