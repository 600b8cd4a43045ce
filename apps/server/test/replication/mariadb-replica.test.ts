// A real MariaDB 10.11 replica (mariadbd) replicating from a Lockstep primary over the GTID
// dump protocol. Skipped, with the reason printed, when mariadb-server cannot be installed.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerHandle } from '../../src/server.js';
import { connect, ensureApt, freePort, startTestServer, tempDir } from '../helpers.js';
import { waitFor } from './util.js';

const missing = ensureApt('mariadb-server', 'mariadb-client');
if (missing !== undefined) console.warn(`[skip] MariaDB replica test: ${missing}`);

describe.skipIf(missing !== undefined)('a MariaDB replica of a Lockstep primary', () => {
  const dir = tempDir('lockstep-mariadb-replica-');
  let mariadbd: ChildProcess | undefined;
  let primary: ServerHandle | undefined;
  let startError: string | undefined;
  const sock = join(dir.path, 'sock');
  const mariadb = (sql: string, names = false): string => execFileSync('mariadb', ['--no-defaults', `-S${sock}`, '-uroot', ...(names ? [] : ['-N']), '-B', '-e', sql], { encoding: 'utf8' });

  beforeAll(async () => {
    primary = await startTestServer(join(dir.path, 'lockstep'));
    const user = userInfo().username;
    try {
      execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${dir.path}/data`, `--user=${user}`, '--auth-root-authentication-method=normal', '--skip-test-db'], { stdio: 'ignore' });
    } catch (error) {
      startError = `mariadb-install-db failed: ${String(error)}`;
      console.warn(`[skip] ${startError}`);
      return;
    }
    const port = await freePort();
    mariadbd = spawn(
      'mariadbd',
      [
        '--no-defaults', `--datadir=${dir.path}/data`, `--socket=${sock}`, `--port=${port}`, '--bind-address=127.0.0.1', `--user=${user}`,
        `--pid-file=${dir.path}/pid`, `--log-error=${dir.path}/error.log`, '--server-id=5', '--innodb-buffer-pool-size=16M', '--skip-name-resolve',
        '--skip-slave-start', '--character-set-server=utf8mb4', '--collation-server=utf8mb4_general_ci',
      ],
      { stdio: 'ignore' },
    );
    try {
      await waitFor(() => Promise.resolve(spawnSync('mariadb', ['--no-defaults', `-S${sock}`, '-uroot', '-e', 'select 1'], { stdio: 'ignore' }).status === 0), 60_000);
    } catch (error) {
      startError = `mariadbd did not start: ${String(error)}`;
      console.warn(`[skip] ${startError}`);
    }
  }, 120_000);

  afterAll(async () => {
    const server = mariadbd;
    if (server?.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await primary?.stop();
    dir.remove();
  }, 60_000);

  it('streams DDL and row changes in GTID mode; the MariaDB replica ends equal', async (ctx) => {
    if (startError !== undefined || primary === undefined) {
      ctx.skip();
      return;
    }
    const p = await connect(primary);
    try {
      await p.query('CREATE DATABASE x');
      await p.query('CREATE TABLE x.t (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL, n BIGINT)');
      for (let i = 0; i < 50; i++) await p.query('INSERT INTO x.t VALUES (?, ?, ?)', [i, `v${i}`, i * 1000]);
      await p.query("UPDATE x.t SET v = 'upd' WHERE id < 5");
      await p.query('DELETE FROM x.t WHERE id > 45');
      mariadb(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='root', MASTER_USE_GTID=slave_pos, MASTER_HEARTBEAT_PERIOD=1; START SLAVE`);
      const [[pos]] = (await p.query('SELECT @@gtid_binlog_pos AS p')) as unknown as [[{ p: string }]];
      await waitFor(() => Promise.resolve(mariadb('SELECT @@gtid_slave_pos').trim() === pos.p), 30_000, () => Promise.resolve(mariadb('SHOW SLAVE STATUS\\G', true)));
      const [rows] = (await p.query('SELECT id, v, n FROM x.t ORDER BY id')) as unknown as [{ id: number; v: string; n: number }[]];
      const expected = rows.map((r) => `${r.id}\t${r.v}\t${r.n}`).join('\n');
      expect(mariadb('SELECT id, v, n FROM x.t ORDER BY id').trim()).toBe(expected);
      // Live: a new commit arrives over the same dump.
      await p.query("INSERT INTO x.t VALUES (100, 'live', 7)");
      await waitFor(() => Promise.resolve(mariadb('SELECT v FROM x.t WHERE id = 100').trim() === 'live'), 30_000);
      const status = mariadb('SHOW SLAVE STATUS\\G', true);
      expect(status, status).toMatch(/Slave_IO_Running: Yes/);
      expect(status).toMatch(/Slave_SQL_Running: Yes/);
      mariadb('STOP SLAVE');
    } finally {
      await p.end();
    }
  }, 120_000);
});
