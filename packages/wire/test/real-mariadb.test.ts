// The replica client against a real MariaDB server: a throwaway mariadbd with its own
// temporary data directory on a free loopback port, stopped by its PID at the end.
// Skipped (with the reason printed) when mariadb-server cannot be installed or started.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerError, WireClient, openBinlogStream } from '../src/index.js';
import { EVENT, eventType } from './primary.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const GTID_EVENT = 0xa2;

function ensureApt(...packages: string[]): string | undefined {
  const result = spawnSync('bash', [path.join(repoRoot, 'scripts/ensure-apt.sh'), ...packages], { encoding: 'utf8' });
  if (result.status === 0) return undefined;
  return `${packages.join(', ')} unavailable: ${(result.stderr || result.stdout || `exit ${result.status}`).trim()}`;
}

const missing = ensureApt('mariadb-server', 'mariadb-client');
if (missing !== undefined) console.warn(`[skip] real MariaDB tests: ${missing}`);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => {
        resolve(port);
      });
    });
  });
}

describe.skipIf(missing !== undefined)('WireClient and BinlogStream against a real mariadbd', () => {
  let dir = '';
  let port = 0;
  let child: ChildProcess | undefined;
  let startError: string | undefined;
  const sql = (statements: string): string =>
    execFileSync('mariadb', ['--no-defaults', `-S${dir}/sock`, '-uroot', '-N', '-B', '-e', statements], { encoding: 'utf8' });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lockstep-wire-mariadb-'));
    port = await freePort();
    const user = process.getuid?.() === 0 ? 'root' : (process.env.USER ?? 'nobody');
    try {
      execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${dir}/data`, `--user=${user}`, '--auth-root-authentication-method=normal', '--skip-test-db'], { stdio: 'ignore' });
    } catch (error) {
      startError = `mariadb-install-db failed: ${String(error)}`;
      console.warn(`[skip] ${startError}`);
      return;
    }
    child = spawn(
      'mariadbd',
      [
        '--no-defaults', `--datadir=${dir}/data`, `--socket=${dir}/sock`, `--port=${port}`, '--bind-address=127.0.0.1', `--user=${user}`,
        `--pid-file=${dir}/pid`, `--log-error=${dir}/error.log`, `--log-bin=${dir}/bin`, '--binlog-format=ROW', '--server-id=1',
        '--binlog-checksum=CRC32', '--innodb-buffer-pool-size=16M', '--skip-name-resolve',
      ],
      { stdio: 'ignore' },
    );
    // Wait (bounded) until the server accepts connections.
    for (let attempt = 0; attempt < 300; attempt++) {
      if (child.exitCode !== null) break;
      const probe = spawnSync('mariadb', ['--no-defaults', `-S${dir}/sock`, '-uroot', '-e', 'select 1'], { stdio: 'ignore' });
      if (probe.status === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (child.exitCode !== null) {
      startError = `mariadbd exited with code ${child.exitCode} (see ${dir}/error.log)`;
      console.warn(`[skip] ${startError}`);
      return;
    }
    try {
      sql("CREATE USER 'repl'@'%' IDENTIFIED BY 'pw'; GRANT ALL ON *.* TO 'repl'@'%'; CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(20)) ENGINE=InnoDB; INSERT INTO shop.items VALUES (1, 'a'), (2, NULL);");
    } catch (error) {
      startError = `mariadbd did not start: ${String(error)}`;
      console.warn(`[skip] ${startError}`);
    }
  }, 90_000);

  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      process.kill(child.pid, 'SIGTERM');
      await exited;
    }
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('connects with mysql_native_password, runs queries, reports errors as ServerError', async (ctx) => {
    if (startError !== undefined) ctx.skip();
    const client = await WireClient.connect({ port, user: 'repl', password: 'pw', database: 'shop' });
    expect(client.serverVersion).toMatch(/MariaDB/);
    const rows = await client.query('SELECT id, name FROM items ORDER BY id');
    expect(rows.kind === 'rows' && rows.rows).toEqual([
      ['1', 'a'],
      ['2', null],
    ]);
    const err = await client.query('SELECT * FROM nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({ errno: 1146, sqlState: '42S02' });
    await client.ping();
    await client.close();
    const denied = await WireClient.connect({ port, user: 'repl', password: 'wrong' }).catch((e: unknown) => e);
    expect(denied).toMatchObject({ errno: 1045 });
  });

  it('file-mode binlog dump: rotate, format description, the statements; position tracked to SHOW MASTER STATUS', async (ctx) => {
    if (startError !== undefined) ctx.skip();
    const [file, position] = sql('SHOW MASTER STATUS').trim().split('\t');
    const stream = openBinlogStream({
      connection: { port, user: 'repl', password: 'pw' },
      dump: { serverId: 99, mode: 'file', file: file!, position: 4, nonBlocking: true },
    });
    const types: number[] = [];
    let sawCreate = false;
    for await (const event of stream) {
      types.push(eventType(event));
      if (event.includes('CREATE TABLE shop.items')) sawCreate = true;
    }
    expect(types[0]).toBe(EVENT.ROTATE);
    expect(types[1]).toBe(EVENT.FORMAT_DESCRIPTION);
    expect(types).toContain(GTID_EVENT);
    expect(sawCreate).toBe(true);
    expect(stream.position).toEqual({ file: file!, position: BigInt(position!) });
  });

  it('MariaDB GTID-mode dump from an empty state, and heartbeats while the primary is idle', async (ctx) => {
    if (startError !== undefined) ctx.skip();
    const client = await WireClient.connect({ port, user: 'repl', password: 'pw' });
    const events = await client.binlogDump({ serverId: 98, mode: 'gtid', gtidState: '', heartbeatPeriodMs: 100 });
    expect(client.dumpChecksum).toBe('CRC32');
    const types: number[] = [];
    for await (const event of events) {
      types.push(eventType(event));
      if (eventType(event) === EVENT.HEARTBEAT) break;
    }
    expect(types).toContain(GTID_EVENT);
    expect(types.at(-1)).toBe(EVENT.HEARTBEAT);
    await client.close();
  });
});
