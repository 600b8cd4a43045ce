// End to end with separate server processes on loopback ports: a write load through mysql2
// on the primary, a parallel replica that catches up row for row with the primary's commit
// order in its own binlog, STOP/START SLAVE and kill -9 of either side mid-load, bad
// CHANGE MASTER input, and `npm start`'s launcher.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { nodeFileSystem } from '@lockstep/base';
import { readBinlogTransactions, formatGtid } from '@lockstep/binlog';
import { connect, freePort, repositoryRoot, spawnChildServer, tempDir, type ChildServer } from '../helpers.js';
import { rowsOf, sortedTable, waitFor, type Row } from './util.js';

/** Transactions of the write load (raise with LOCKSTEP_REPLICATION_TXNS). */
const TXNS = Number(process.env.LOCKSTEP_REPLICATION_TXNS ?? 600);
const CLIENTS = 8;
const ROWS = 50;
const CATCH_UP_MS = 60_000;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function child(datadir: string, flags: string[]): Promise<ChildServer> {
  const s = await spawnChildServer(datadir, ['--engine-checkpoint-interval-ms', '200', ...flags]);
  cleanups.push(async () => {
    if (s.child.exitCode === null && s.child.signalCode === null) {
      s.child.kill('SIGTERM');
      await s.exited;
    }
  });
  return s;
}

async function stopChild(s: ChildServer): Promise<number | string> {
  s.child.kill('SIGTERM');
  return s.exited;
}

async function sql(s: { host: string; port: number }): Promise<mysql.Connection> {
  const c = await connect(s);
  cleanups.push(() => c.end().catch(() => undefined));
  return c;
}

async function slaveStatus(c: mysql.Connection): Promise<Row> {
  const [rows] = await rowsOf(c, 'SHOW SLAVE STATUS');
  return rows[0] ?? {};
}

/** A write load: CLIENTS connections, each running transactions of UPDATE + INSERT/DELETE on a shared hot table. */
async function writeLoad(primary: { host: string; port: number }, count: number, from: number, onHalf?: () => Promise<void>): Promise<void> {
  const conns = await Promise.all(Array.from({ length: CLIENTS }, () => connect(primary)));
  let next = from;
  let done = 0;
  let halfFired = false;
  try {
    await Promise.all(
      conns.map(async (c) => {
        for (;;) {
          const i = next++;
          if (i >= from + count) return;
          const hot = i % ROWS;
          for (;;) {
            try {
              await c.query('BEGIN');
              await c.query('UPDATE r.hot SET v = v + 1, note = ? WHERE id = ?', [`t${i}`, hot]);
              await c.query('INSERT INTO r.log (id, hot, payload) VALUES (?, ?, ?)', [i, hot, 'x'.repeat(i % 40)]);
              if (i % 7 === 0) await c.query('DELETE FROM r.log WHERE id = ?', [i - 5]);
              await c.query('COMMIT');
              break;
            } catch (error) {
              await c.query('ROLLBACK').catch(() => undefined);
              const errno = (error as { errno?: number }).errno;
              if (errno !== 1213 && errno !== 1205) throw error;
            }
          }
          done += 1;
          if (!halfFired && done >= count / 2 && onHalf !== undefined) {
            halfFired = true;
            await onHalf();
          }
        }
      }),
    );
  } finally {
    await Promise.all(conns.map((c) => c.end().catch(() => undefined)));
  }
}

async function createSchema(c: mysql.Connection): Promise<void> {
  await c.query('CREATE DATABASE r');
  await c.query('CREATE TABLE r.hot (id INT PRIMARY KEY, v INT NOT NULL, note VARCHAR(32) NOT NULL)');
  await c.query('CREATE TABLE r.log (id INT PRIMARY KEY, hot INT NOT NULL, payload VARCHAR(64) NOT NULL, UNIQUE KEY (hot, id))');
  for (let i = 0; i < ROWS; i++) await c.query('INSERT INTO r.hot VALUES (?, 0, ?)', [i, '']);
}

async function caughtUp(primary: mysql.Connection, replica: mysql.Connection): Promise<void> {
  const [[p]] = await rowsOf(primary, 'SELECT @@gtid_binlog_pos AS pos');
  await waitFor(
    async () => (await rowsOf(replica, 'SELECT @@gtid_slave_pos AS pos'))[0][0]!.pos === p!.pos,
    CATCH_UP_MS,
    async () => `primary at ${String(p!.pos)}; replica: ${JSON.stringify(await slaveStatus(replica))}`,
  );
}

async function expectEqual(primary: mysql.Connection, replica: mysql.Connection): Promise<void> {
  for (const table of ['r.hot', 'r.log']) expect(await sortedTable(replica, table), table).toEqual(await sortedTable(primary, table));
}

/** GTIDs of a datadir's binlog in binlog (= commit) order, from one server id. */
async function binlogOrder(datadir: string, serverId: number): Promise<string[]> {
  const out: string[] = [];
  for await (const t of readBinlogTransactions({ fs: nodeFileSystem, dir: join(datadir, 'binlog') })) if (t.gtid.serverId === serverId) out.push(formatGtid(t.gtid));
  return out;
}

async function changeMaster(c: mysql.Connection, port: number, extra = ''): Promise<void> {
  await c.query(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${port}, MASTER_USER='root', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1${extra}`);
}

describe('replication between server processes', () => {
  it('a parallel replica catches up row for row in the primary commit order, across STOP/START SLAVE mid-load', async () => {
    const pdir = tempDir();
    const rdir = tempDir();
    cleanups.push(
      () => {
        pdir.remove();
      },
      () => {
        rdir.remove();
      },
    );
    const primary = await child(pdir.path, ['--server-id', '1']);
    const replica = await child(rdir.path, ['--server-id', '2', '--log-slave-updates=ON', '--read-only=ON', '--slave-parallel-threads', '8']);
    const p = await sql(primary);
    const r = await sql(replica);
    await changeMaster(r, primary.port);
    await r.query('START SLAVE');
    await createSchema(p);
    await writeLoad(primary, TXNS, 0, async () => {
      await r.query('STOP SLAVE');
      const stopped = await slaveStatus(r);
      expect(stopped).toMatchObject({ Slave_IO_Running: 'No', Slave_SQL_Running: 'No' });
      await r.query('START SLAVE');
    });
    await caughtUp(p, r);
    await expectEqual(p, r);
    const status = await slaveStatus(r);
    expect(status).toMatchObject({ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Last_IO_Errno: 0, Last_SQL_Errno: 0, Using_Gtid: 'Slave_Pos', Parallel_Mode: 'optimistic' });
    expect(status.Gtid_Slave_Pos).toBe((await rowsOf(p, 'SELECT @@gtid_binlog_pos AS pos'))[0][0]!.pos);
    // read_only: clients cannot write on the replica.
    await expect(r.query('INSERT INTO r.hot VALUES (1000, 0, "")')).rejects.toMatchObject({ errno: 1290 });
    expect(await stopChild(replica)).toBe(0);
    expect(await stopChild(primary)).toBe(0);
    // log_slave_updates: the replica's binlog holds every primary transaction once, in the primary's order.
    const primaryOrder = await binlogOrder(pdir.path, 1);
    expect(primaryOrder.length).toBeGreaterThan(TXNS);
    expect(await binlogOrder(rdir.path, 1)).toEqual(primaryOrder);
  }, 180_000);

  it('kill -9 of the replica while applying, then of the primary: both restart and the replica ends equal', async () => {
    const pdir = tempDir();
    const rdir = tempDir();
    cleanups.push(
      () => {
        pdir.remove();
      },
      () => {
        rdir.remove();
      },
    );
    const primaryPort = await freePort();
    let primary = await child(pdir.path, ['--server-id', '1', '--port', String(primaryPort)]);
    let replica = await child(rdir.path, ['--server-id', '2', '--log-slave-updates=ON', '--slave-parallel-threads', '8']);
    const p = await sql(primary);
    let r = await sql(replica);
    await changeMaster(r, primaryPort);
    await r.query('START SLAVE');
    await createSchema(p);
    await writeLoad(primary, TXNS / 2, 0, async () => {
      replica.child.kill('SIGKILL');
      await replica.exited;
      replica = await child(rdir.path, ['--server-id', '2', '--log-slave-updates=ON', '--slave-parallel-threads', '8']);
    });
    r = await sql(replica);
    await caughtUp(p, r);
    await expectEqual(p, r);
    // The primary dies mid-load; the replica keeps retrying and picks up after the restart.
    primary.child.kill('SIGKILL');
    await primary.exited;
    await p.end().catch(() => undefined);
    primary = await child(pdir.path, ['--server-id', '1', '--port', String(primaryPort)]);
    const p2 = await sql(primary);
    await writeLoad(primary, TXNS / 2, TXNS / 2);
    await caughtUp(p2, r);
    await expectEqual(p2, r);
    expect(await slaveStatus(r)).toMatchObject({ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Last_SQL_Errno: 0 });
  }, 180_000);

  it('bad CHANGE MASTER input shows MariaDB errors in SHOW SLAVE STATUS and the server keeps serving', async () => {
    const pdir = tempDir();
    const rdir = tempDir();
    cleanups.push(
      () => {
        pdir.remove();
      },
      () => {
        rdir.remove();
      },
    );
    const primary = await child(pdir.path, ['--server-id', '1', '--user', 'root', '--user', 'repl:secret']);
    const replica = await child(rdir.path, ['--server-id', '2']);
    const r = await sql(replica);
    await expect(r.query('START SLAVE')).rejects.toMatchObject({ errno: 1200 });
    await expect(r.query(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_BOGUS=1`)).rejects.toMatchObject({ errno: 1064 });
    // Unreachable primary: 2003, Slave_IO_Running Connecting.
    const closedPort = await freePort();
    await changeMaster(r, closedPort);
    await r.query('START SLAVE');
    await waitFor(async () => (await slaveStatus(r)).Last_IO_Errno === 2003, 20_000, async () => JSON.stringify(await slaveStatus(r)));
    const unreachable = await slaveStatus(r);
    expect(unreachable.Slave_IO_Running).toBe('Connecting');
    expect(String(unreachable.Last_IO_Error)).toMatch(/^error connecting to master 'root@127\.0\.0\.1:\d+' - retry-time: 1 {2}maximum-retries: 86400 {2}message: /);
    await expect(r.query(`CHANGE MASTER TO MASTER_PORT=${primary.port}`)).rejects.toMatchObject({ errno: 1198 });
    await r.query('STOP SLAVE');
    // Wrong password: 1045 with the primary's message.
    await r.query(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='repl', MASTER_PASSWORD='wrong'`);
    await r.query('START SLAVE');
    await waitFor(async () => (await slaveStatus(r)).Last_IO_Errno === 1045, 20_000, async () => JSON.stringify(await slaveStatus(r)));
    expect(String((await slaveStatus(r)).Last_IO_Error)).toContain("Access denied for user 'repl'");
    await r.query('STOP SLAVE');
    // Fixed: it connects and replicates.
    await r.query(`CHANGE MASTER TO MASTER_PASSWORD='secret'`);
    await r.query('START SLAVE');
    const p = await sql(primary);
    await p.query('CREATE DATABASE ok');
    await waitFor(async () => (await rowsOf(r, 'SELECT @@gtid_slave_pos AS pos'))[0][0]!.pos === '0-1-1', 20_000, async () => JSON.stringify(await slaveStatus(r)));
    expect(await slaveStatus(r)).toMatchObject({ Slave_IO_Running: 'Yes', Last_IO_Errno: 0 });
    await r.query('STOP SLAVE');
    await r.query('RESET SLAVE ALL');
    expect((await rowsOf(r, 'SHOW SLAVE STATUS'))[0]).toEqual([]);
  }, 120_000);

  it('npm start: primary and replica come up, a row written on the primary is read on the replica, SIGTERM stops both with 0', async () => {
    const dir = tempDir();
    cleanups.push(() => {
      dir.remove();
    });
    const [primaryPort, replicaPort] = [await freePort(), await freePort()];
    const launcher = spawn(process.execPath, [join(repositoryRoot, 'apps', 'server', 'dist', 'start.js')], {
      env: { ...process.env, LOCKSTEP_DATA_DIR: dir.path, LOCKSTEP_PRIMARY_PORT: String(primaryPort), LOCKSTEP_REPLICA_PORT: String(replicaPort), LOCKSTEP_REPLICA_THREADS: '4' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    launcher.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    launcher.stderr.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const exited = new Promise<number | null>((resolve) => {
      launcher.once('exit', (code) => {
        resolve(code);
      });
    });
    cleanups.push(async () => {
      if (launcher.exitCode === null) {
        launcher.kill('SIGTERM');
        await exited;
      }
    });
    await waitFor(() => Promise.resolve(out.includes('Ctrl-C stops both.')), 60_000, () => Promise.resolve(out));
    expect(out).toContain(`mariadb -h127.0.0.1 -P${primaryPort} -uroot`);
    const p = await sql({ host: '127.0.0.1', port: primaryPort });
    const r = await sql({ host: '127.0.0.1', port: replicaPort });
    await p.query('CREATE DATABASE s');
    await p.query('CREATE TABLE s.t (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL)');
    await p.query("INSERT INTO s.t VALUES (1, 'hello')");
    await waitFor(async () => (await rowsOf(r, 'SELECT @@gtid_slave_pos AS pos'))[0][0]!.pos === '0-1-3', 30_000, () => Promise.resolve(out));
    expect((await rowsOf(r, 'SELECT v FROM s.t WHERE id = 1'))[0]).toEqual([{ v: 'hello' }]);
    await waitFor(() => Promise.resolve(/primary \d+ commits\/s \| replica \d+ applied\/s, lag /.test(out)), 10_000, () => Promise.resolve(out));
    await p.end();
    await r.end();
    launcher.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('replica exited with 0');
    expect(out).toContain('primary exited with 0');

    // Second start on the same data: the replica resumes; a terminal's Ctrl-C (SIGINT to the
    // whole process group) stops both cleanly.
    const again = spawn(process.execPath, [join(repositoryRoot, 'apps', 'server', 'dist', 'start.js'), '--no-status'], {
      env: { ...process.env, LOCKSTEP_DATA_DIR: dir.path, LOCKSTEP_PRIMARY_PORT: String(primaryPort), LOCKSTEP_REPLICA_PORT: String(replicaPort), LOCKSTEP_REPLICA_THREADS: '4' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out2 = '';
    again.stdout.on('data', (b: Buffer) => {
      out2 += b.toString();
    });
    const exited2 = new Promise<number | null>((resolve) => {
      again.once('exit', (code) => {
        resolve(code);
      });
    });
    cleanups.push(async () => {
      if (again.exitCode === null) {
        again.kill('SIGTERM');
        await exited2;
      }
    });
    await waitFor(() => Promise.resolve(out2.includes('Ctrl-C stops both.')), 60_000, () => Promise.resolve(out2));
    expect(out2).toContain('replica resumed from gtid_slave_pos 0-1-3');
    const p2 = await sql({ host: '127.0.0.1', port: primaryPort });
    const r2 = await sql({ host: '127.0.0.1', port: replicaPort });
    await p2.query("INSERT INTO s.t VALUES (2, 'again')");
    await waitFor(async () => (await rowsOf(r2, 'SELECT @@gtid_slave_pos AS pos'))[0][0]!.pos === '0-1-4', 30_000, () => Promise.resolve(out2));
    await p2.end();
    await r2.end();
    process.kill(-again.pid!, 'SIGINT');
    expect(await exited2).toBe(0);
    expect(out2).toContain('replica exited with 0');
    expect(out2).toContain('primary exited with 0');
  }, 120_000);
});
