// Primary and replica in one process (fast): dump protocol, CHANGE MASTER / START / STOP SLAVE, apply, positions.
import { afterEach, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import type { ServerHandle } from '../../src/server.js';
import { connect, startTestServer, tempDir } from '../helpers.js';
import { waitFor, rowsOf, sortedTable } from './util.js';

const cleanups: (() => Promise<void> | void)[] = [];
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
    await replica.sql.query(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.server.port}, MASTER_USER='root', MASTER_USE_GTID=slave_pos`);
    await replica.sql.query('START SLAVE');
    await primary.sql.query('CREATE DATABASE t');
    await primary.sql.query('CREATE TABLE t.a (id INT PRIMARY KEY, v INT NOT NULL)');
    for (let i = 0; i < 200; i++) await primary.sql.query(`INSERT INTO t.a VALUES (${i}, ${i})`);
    for (let i = 0; i < 200; i += 3) await primary.sql.query(`UPDATE t.a SET v = v + 1 WHERE id = ${i}`);
    await primary.sql.query('DELETE FROM t.a WHERE id < 10');
    const [[pos]] = await rowsOf(primary.sql, 'SELECT @@gtid_binlog_pos AS p');
    await waitFor(async () => (await rowsOf(replica.sql, 'SELECT @@gtid_slave_pos AS p'))[0][0]!.p === pos.p, 30_000, async () => JSON.stringify((await rowsOf(replica.sql, 'SHOW SLAVE STATUS'))[0]));
    expect(await sortedTable(replica.sql, 't.a')).toEqual(await sortedTable(primary.sql, 't.a'));
    const [status] = await rowsOf(replica.sql, 'SHOW SLAVE STATUS');
    expect(status[0]).toMatchObject({ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Last_IO_Errno: 0, Last_SQL_Errno: 0, Master_Port: primary.server.port, Using_Gtid: 'Slave_Pos' });
    await replica.sql.query('STOP SLAVE');
    const [stopped] = await rowsOf(replica.sql, 'SHOW SLAVE STATUS');
    expect(stopped[0]).toMatchObject({ Slave_IO_Running: 'No', Slave_SQL_Running: 'No' });
  });
});
