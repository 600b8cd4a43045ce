import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerHandle } from '../src/server.js';
import { connect, freePort, startTestServer, tempDir } from './helpers.js';

describe('lockstep-server over mysql2', () => {
  const dir = tempDir();
  let server: ServerHandle;

  beforeAll(async () => {
    server = await startTestServer(dir.path, ['--metrics-port', String(await freePort()), '--user', 'root', '--user', 'app:secret']);
  });

  afterAll(async () => {
    await server.stop();
    dir.remove();
  });

  it('runs DDL, text and prepared DML, and transactions end to end', async () => {
    const c = await connect(server);
    try {
      await c.query('CREATE DATABASE shop');
      await c.query('USE shop');
      await c.query('CREATE TABLE items (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty BIGINT NOT NULL DEFAULT 0, price DOUBLE, KEY by_name (name))');
      const [insert] = await c.query<ResultSetHeader>("INSERT INTO items (name, qty, price) VALUES ('apple', 3, 1.5), ('pear', 5, NULL)");
      expect(insert.affectedRows).toBe(2);
      const [prepared] = await c.execute<ResultSetHeader>('INSERT INTO items (name, qty, price) VALUES (?, ?, ?)', ['plum', 7, 2.25]);
      expect(prepared.affectedRows).toBe(1);
      expect(prepared.insertId).toBe(3);
      const [rows] = await c.execute<RowDataPacket[]>('SELECT id, name, qty, price FROM items WHERE id = ?', [3]);
      expect(rows).toEqual([{ id: 3, name: 'plum', qty: 7, price: 2.25 }]);
      const [text] = await c.query<RowDataPacket[]>('SELECT name FROM items WHERE qty BETWEEN 3 AND 5 ORDER BY name');
      expect(text.map((r) => String(r.name))).toEqual(['apple', 'pear']);

      await c.query('BEGIN');
      await c.query("UPDATE items SET qty = qty + 10 WHERE name = 'apple'");
      await c.query('ROLLBACK');
      await c.beginTransaction();
      await c.execute('DELETE FROM items WHERE id = ?', [2]);
      await c.commit();
      const [after] = await c.query<RowDataPacket[]>('SELECT id, qty FROM items ORDER BY id');
      expect(after).toEqual([
        { id: 1, qty: 3 },
        { id: 3, qty: 7 },
      ]);
      await expect(c.query('SELECT * FROM missing')).rejects.toMatchObject({ errno: 1146 });
      await expect(c.query("INSERT INTO items (id, name) VALUES (1, 'dup')")).rejects.toMatchObject({ errno: 1062 });
      await expect(c.query('SELEC 1')).rejects.toMatchObject({ errno: 1064 });
    } finally {
      await c.end();
    }
  });

  it('answers the server statements: master status, binary logs, variables, processlist', async () => {
    const c = await connect(server);
    try {
      await c.query('CREATE DATABASE IF NOT EXISTS v');
      const [status] = await c.query<RowDataPacket[]>('SHOW MASTER STATUS');
      expect(status[0]).toMatchObject({ File: 'binlog.000001' });
      expect(Number(status[0]!.Position)).toBeGreaterThan(0);
      const [logs] = await c.query<RowDataPacket[]>('SHOW BINARY LOGS');
      expect(logs.map((r) => String(r.Log_name))).toContain('binlog.000001');
      const [vars] = await c.query<RowDataPacket[]>('SELECT @@server_id AS id, @@binlog_format AS f, @@gtid_binlog_pos AS pos, @@version AS v');
      expect(vars[0]).toMatchObject({ id: 1, f: 'ROW' });
      expect(String(vars[0]!.pos)).toMatch(/^0-1-\d+$/);
      expect(String(vars[0]!.v)).toContain('Lockstep');
      await c.query('SET GLOBAL read_only = 1');
      await expect(c.query('CREATE DATABASE ro')).rejects.toMatchObject({ errno: 1290 });
      await c.query('SET GLOBAL read_only = OFF');
      await expect(c.query('SET GLOBAL server_id = 5')).rejects.toMatchObject({ errno: 1238 });
      const [list] = await c.query<RowDataPacket[]>('SHOW PROCESSLIST');
      expect(list.some((r) => r.Info === 'SHOW PROCESSLIST' && r.Command === 'Query')).toBe(true);
    } finally {
      await c.end();
    }
  });

  it('checks passwords and kills connections', async () => {
    await expect(connect(server, { user: 'app', password: 'wrong' })).rejects.toMatchObject({ errno: 1045 });
    const app = await connect(server, { user: 'app', password: 'secret' });
    const admin = await connect(server);
    try {
      const [[me]] = await app.query<RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
      await admin.query(`KILL ${String(me!.id)}`);
      await expect(app.query('SELECT 1')).rejects.toBeDefined();
      await expect(admin.query('KILL 999999')).rejects.toMatchObject({ errno: 1094 });
    } finally {
      app.destroy();
      await admin.end();
    }
  });

  it('refuses a malformed BINLOG statement with a typed error and keeps serving', async () => {
    const c = await connect(server);
    try {
      await expect(c.query("BINLOG 'not*base64'")).rejects.toMatchObject({ errno: 1105, message: expect.stringContaining('not base64') as unknown });
      await expect(c.query("BINLOG 'AAAA'")).rejects.toMatchObject({ errno: 1105 });
      const [rows] = await c.query<RowDataPacket[]>('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await c.end();
    }
  });

  it('serves Prometheus metrics with commits and fsyncs', async () => {
    const response = await fetch(`http://127.0.0.1:${String(server.metricsPort)}/metrics`);
    expect(response.status).toBe(200);
    const body = await response.text();
    const commits = Number(/^lockstep_commits_total (\d+)$/m.exec(body)?.[1]);
    const fsyncs = Number(/^lockstep_binlog_fsyncs_total (\d+)$/m.exec(body)?.[1]);
    expect(commits).toBeGreaterThan(0);
    expect(fsyncs).toBeGreaterThan(0);
    expect(fsyncs).toBeLessThanOrEqual(commits);
    expect(body).toMatch(/^lockstep_queries_total\{kind="select",protocol="text"\} [1-9]/m);
    expect((await fetch(`http://127.0.0.1:${String(server.metricsPort)}/nope`)).status).toBe(404);
  });
});

describe('lockstep-server restart', () => {
  it('keeps committed data across a clean stop and leaves no in-use flag', async () => {
    const dir = tempDir();
    try {
      let server = await startTestServer(dir.path);
      let c = await connect(server);
      await c.query('CREATE DATABASE d');
      await c.query('CREATE TABLE d.t (id INT PRIMARY KEY, v VARCHAR(10))');
      for (let i = 0; i < 20; i++) await c.execute('INSERT INTO d.t VALUES (?, ?)', [i, `v${String(i)}`]);
      await c.end();
      await server.stop();
      server = await startTestServer(dir.path);
      expect(server.recovery.uncleanShutdown).toBe(false);
      expect(server.recovery.redone).toBe(0);
      c = await connect(server);
      const [rows] = await c.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM d.t');
      expect(Number(rows[0]!.n)).toBe(20);
      await c.end();
      await server.stop();
    } finally {
      dir.remove();
    }
  });
});

describe('lockstep-server graceful stop', () => {
  it('refuses new statements (1053), kills a statement still waiting at the shutdown timeout, rolls back open transactions, closes cleanly', async () => {
    const dir = tempDir();
    try {
      const server = await startTestServer(dir.path, ['--shutdown-timeout', '2', '--lock-wait-timeout', '600']);
      const setup = await connect(server);
      await setup.query('CREATE DATABASE g');
      await setup.query('CREATE TABLE g.t (id INT PRIMARY KEY, n INT NOT NULL)');
      await setup.query('INSERT INTO g.t VALUES (1, 0)');
      const holder = await connect(server);
      const waiter = await connect(server);
      await holder.query('BEGIN');
      await holder.query('UPDATE g.t SET n = 1 WHERE id = 1');
      const waiting = waiter.query('UPDATE g.t SET n = 2 WHERE id = 1').then(
        () => 'committed',
        (error: unknown) => (error as { errno?: number }).errno ?? 'closed',
      );
      // The waiter's statement is running once the processlist shows it.
      for (let polls = 0; ; polls++) {
        expect(polls, 'the waiting UPDATE never showed in the processlist').toBeLessThan(10_000);
        const [list] = await setup.query<RowDataPacket[]>('SHOW FULL PROCESSLIST');
        if (list.some((r) => String(r.Info).startsWith('UPDATE g.t SET n = 2'))) break;
      }
      const stopping = server.stop();
      await expect(setup.query('SELECT 1')).rejects.toMatchObject({ errno: 1053 });
      await stopping;
      expect(await waiting).not.toBe('committed');
      for (const c of [setup, holder, waiter]) c.destroy();

      const again = await startTestServer(dir.path);
      expect(again.recovery.uncleanShutdown).toBe(false);
      const c = await connect(again);
      const [rows] = await c.query<RowDataPacket[]>('SELECT n FROM g.t WHERE id = 1');
      expect(rows).toEqual([{ n: 0 }]);
      await c.end();
      await again.stop();
    } finally {
      dir.remove();
    }
  }, 30_000);
});
