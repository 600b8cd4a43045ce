// Primary and replica in one process (fast): dump protocol, CHANGE MASTER / START / STOP SLAVE, apply, positions.
import { afterEach, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import type { ServerHandle } from '../../src/server.js';
import { connect, startTestServer, tempDir } from '../helpers.js';
import { waitFor, rowsOf, sortedTable } from './util.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(flags: string[] = []): Promise<{ server: ServerHandle; sql: mysql.Connection; dir: string }> {
  const dir = tempDir();
  const s = await startTestServer(dir.path, flags);
  const sql = await connect(s);
  cleanups.push(
    () => {
      dir.remove();
    },
    () => s.stop(),
    () => sql.end(),
  );
  return { server: s, sql, dir: dir.path };
}

describe('replica in process', () => {
  it('replicates DDL and a write load and keeps gtid_slave_pos', async () => {
    const primary = await server();
    const replica = await server(['--server-id', '2', '--slave-parallel-threads', '4']);
    await replica.sql.query(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.server.port}, MASTER_USER='root', MASTER_USE_GTID=slave_pos, MASTER_HEARTBEAT_PERIOD=1`);
    await replica.sql.query('START SLAVE');
    await primary.sql.query('CREATE DATABASE t');
    await primary.sql.query('CREATE TABLE t.a (id INT PRIMARY KEY, v INT NOT NULL)');
    for (let i = 0; i < 200; i++) await primary.sql.query(`INSERT INTO t.a VALUES (${i}, ${i})`);
    for (let i = 0; i < 200; i += 3) await primary.sql.query(`UPDATE t.a SET v = v + 1 WHERE id = ${i}`);
    await primary.sql.query('DELETE FROM t.a WHERE id < 10');
    const pos = (await rowsOf(primary.sql, 'SELECT @@gtid_binlog_pos AS p'))[0][0]?.p;
    await waitFor(async () => (await rowsOf(replica.sql, 'SELECT @@gtid_slave_pos AS p'))[0][0]!.p === pos, 30_000, async () => JSON.stringify((await rowsOf(replica.sql, 'SHOW SLAVE STATUS'))[0]));
    expect(await sortedTable(replica.sql, 't.a')).toEqual(await sortedTable(primary.sql, 't.a'));
    const [status] = await rowsOf(replica.sql, 'SHOW SLAVE STATUS');
    expect(status[0]).toMatchObject({ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Last_IO_Errno: 0, Last_SQL_Errno: 0, Master_Port: primary.server.port, Using_Gtid: 'Slave_Pos' });
    // Idle: the primary sends heartbeats every MASTER_HEARTBEAT_PERIOD.
    await waitFor(async () => Number((await rowsOf(replica.sql, 'SHOW SLAVE STATUS'))[0][0]?.Slave_received_heartbeats) > 0, 20_000);
    // The SQL thread alone stops and starts again; the I/O thread keeps running.
    await replica.sql.query('STOP SLAVE SQL_THREAD');
    expect((await rowsOf(replica.sql, 'SHOW SLAVE STATUS'))[0][0]).toMatchObject({ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'No' });
    await primary.sql.query('INSERT INTO t.a VALUES (1000, 1)');
    await replica.sql.query('START SLAVE SQL_THREAD');
    const after = (await rowsOf(primary.sql, 'SELECT @@gtid_binlog_pos AS p'))[0][0]?.p;
    await waitFor(async () => (await rowsOf(replica.sql, 'SELECT @@gtid_slave_pos AS p'))[0][0]?.p === after, 20_000);
    expect(await sortedTable(replica.sql, 't.a')).toEqual(await sortedTable(primary.sql, 't.a'));
    await replica.sql.query('STOP SLAVE');
    const [stopped] = await rowsOf(replica.sql, 'SHOW SLAVE STATUS');
    expect(stopped[0]).toMatchObject({ Slave_IO_Running: 'No', Slave_SQL_Running: 'No' });
  });

  it('every parallel mode ends equal to the primary under the same load', async () => {
    const primary = await server();
    await primary.sql.query('CREATE DATABASE m');
    await primary.sql.query('CREATE TABLE m.k (id INT PRIMARY KEY, v INT NOT NULL, u INT NOT NULL, UNIQUE KEY (u))');
    for (let i = 0; i < 20; i++) await primary.sql.query(`INSERT INTO m.k VALUES (${i}, 0, ${i})`);
    const clients = await Promise.all(Array.from({ length: 4 }, () => connect(primary.server)));
    cleanups.push(() => Promise.all(clients.map((c) => c.end())));
    await Promise.all(
      clients.map(async (c, n) => {
        for (let i = 0; i < 60; i++) {
          await c.query('BEGIN');
          await c.query(`UPDATE m.k SET v = v + 1 WHERE id = ${(i * 7 + n) % 20}`);
          await c.query(`UPDATE m.k SET v = v + 2 WHERE id = ${(i * 3 + n * 5) % 20}`);
          await c.query('COMMIT');
        }
      }),
    );
    const pos = (await rowsOf(primary.sql, 'SELECT @@gtid_binlog_pos AS p'))[0][0]?.p;
    const expected = await sortedTable(primary.sql, 'm.k');
    for (const mode of ['none', 'minimal', 'conservative', 'optimistic', 'aggressive']) {
      const replica = await server(['--server-id', '2']);
      await replica.sql.query(`SET GLOBAL slave_parallel_mode = '${mode}'`);
      await replica.sql.query('SET GLOBAL slave_parallel_threads = 8');
      await replica.sql.query(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.server.port}, MASTER_USER='root'`);
      await replica.sql.query('START SLAVE');
      await waitFor(async () => (await rowsOf(replica.sql, 'SELECT @@gtid_slave_pos AS p'))[0][0]?.p === pos, 30_000, async () => `${mode}: ${JSON.stringify((await rowsOf(replica.sql, 'SHOW SLAVE STATUS'))[0])}`);
      expect(await sortedTable(replica.sql, 'm.k'), mode).toEqual(expected);
      expect((await rowsOf(replica.sql, 'SHOW SLAVE STATUS'))[0][0], mode).toMatchObject({ Parallel_Mode: mode, Last_SQL_Errno: 0 });
      await replica.sql.query('STOP SLAVE');
    }
  }, 120_000);

  it('a chain primary -> replica -> replica with log_slave_updates', async () => {
    const primary = await server();
    const middle = await server(['--server-id', '2', '--log-slave-updates=ON']);
    const leaf = await server(['--server-id', '3']);
    await middle.sql.query(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.server.port}, MASTER_USER='root'`);
    await middle.sql.query('START SLAVE');
    await leaf.sql.query(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${middle.server.port}, MASTER_USER='root'`);
    await leaf.sql.query('START REPLICA');
    await primary.sql.query('CREATE DATABASE c');
    await primary.sql.query('CREATE TABLE c.t (id INT PRIMARY KEY, s VARCHAR(20) NOT NULL)');
    for (let i = 0; i < 100; i++) await primary.sql.query(`INSERT INTO c.t VALUES (${i}, 'r${i}')`);
    const pos = (await rowsOf(primary.sql, 'SELECT @@gtid_binlog_pos AS p'))[0][0]?.p;
    await waitFor(async () => (await rowsOf(leaf.sql, 'SELECT @@gtid_slave_pos AS p'))[0][0]?.p === pos, 30_000, async () => JSON.stringify((await rowsOf(leaf.sql, 'SHOW SLAVE STATUS'))[0]));
    expect(await sortedTable(leaf.sql, 'c.t')).toEqual(await sortedTable(primary.sql, 'c.t'));
    // The middle's binlog carries the primary's GTIDs: its gtid_binlog_pos equals the primary's.
    expect((await rowsOf(middle.sql, 'SELECT @@gtid_binlog_pos AS p, @@gtid_current_pos AS c'))[0][0]).toEqual({ p: pos, c: pos });
  }, 60_000);

  it('a replica asking for purged binlogs gets 1236; SET GLOBAL gtid_slave_pos moves it past them', async () => {
    const primary = await server(['--max-binlog-size', '4096']);
    await primary.sql.query('CREATE DATABASE g');
    await primary.sql.query('CREATE TABLE g.t (id INT PRIMARY KEY)');
    await primary.sql.query('FLUSH BINARY LOGS');
    await primary.sql.query('FLUSH BINARY LOGS');
    await primary.sql.query('INSERT INTO g.t VALUES (1)');
    const files = (await rowsOf(primary.sql, 'SHOW BINARY LOGS'))[0].map((r) => String(r.Log_name));
    const last = files.at(-1)!;
    await waitFor(
      async () => {
        try {
          await primary.sql.query(`PURGE BINARY LOGS TO '${last}'`);
        } catch {
          return false;
        }
        return (await rowsOf(primary.sql, 'SHOW BINARY LOGS'))[0].length === 1;
      },
      20_000,
    );
    const replica = await server(['--server-id', '2']);
    await replica.sql.query(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.server.port}, MASTER_USER='root'`);
    await replica.sql.query('START SLAVE');
    await waitFor(async () => (await rowsOf(replica.sql, 'SHOW SLAVE STATUS'))[0][0]?.Last_IO_Errno === 1236, 20_000);
    const status = (await rowsOf(replica.sql, 'SHOW SLAVE STATUS'))[0][0]!;
    expect(status.Last_IO_Error).toBe(
      'Got fatal error 1236 from master when reading data from binary log: Could not find GTID state requested by slave in any binlog files. Probably the slave state is too old and required binlog files have been purged.',
    );
    await waitFor(async () => (await rowsOf(replica.sql, 'SHOW SLAVE STATUS'))[0][0]?.Slave_IO_Running === 'No', 20_000);
    await replica.sql.query('STOP SLAVE');
    // The tables come from elsewhere (a backup); the position is set past what was purged.
    await replica.sql.query('CREATE DATABASE g');
    await replica.sql.query('CREATE TABLE g.t (id INT PRIMARY KEY)');
    await replica.sql.query("SET GLOBAL gtid_slave_pos = '0-1-2'");
    expect((await rowsOf(replica.sql, 'SELECT @@gtid_slave_pos AS p'))[0][0]?.p).toBe('0-1-2');
    await replica.sql.query('START SLAVE');
    const pos = (await rowsOf(primary.sql, 'SELECT @@gtid_binlog_pos AS p'))[0][0]?.p;
    await waitFor(async () => (await rowsOf(replica.sql, 'SELECT @@gtid_slave_pos AS p'))[0][0]?.p === pos, 20_000, async () => JSON.stringify((await rowsOf(replica.sql, 'SHOW SLAVE STATUS'))[0]));
    expect(await sortedTable(replica.sql, 'g.t')).toEqual([{ id: 1 }]);
    await expect(replica.sql.query("SET GLOBAL gtid_slave_pos = '0-1-1'")).rejects.toMatchObject({ errno: 1198 });
  }, 60_000);
});
