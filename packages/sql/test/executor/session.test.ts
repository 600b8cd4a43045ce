import { describe, expect, it } from 'vitest';
import { LockstepError } from '@lockstep/base';
import { affected, openTestEngine, rowsOf } from './harness.js';

async function setup(te: Awaited<ReturnType<typeof openTestEngine>>) {
  const s = te.engine.session({ connectionId: 7, user: 'u', host: 'h' });
  await s.execute('CREATE DATABASE d');
  await s.execute('USE d');
  await s.execute('CREATE TABLE t (id INT NOT NULL, u INT, v VARCHAR(10) NOT NULL DEFAULT \'x\', PRIMARY KEY (id), UNIQUE KEY u_1 (u))');
  return s;
}

describe('executor: transactions', () => {
  it('BEGIN/COMMIT/ROLLBACK, autocommit=0, a failed statement undoes only itself, read-only commits skip the committer', async () => {
    const te = await openTestEngine();
    const s = await setup(te);
    const other = te.engine.session({ connectionId: 8, user: 'u', host: 'h', database: 'd' });
    const logged = te.committer.log.length;
    await s.execute('BEGIN');
    expect(s.inTransaction).toBe(true);
    await s.execute('INSERT INTO t (id, u) VALUES (1, 1), (2, 2)');
    // Multi-row insert failing on its 2nd row: its first row is undone too, earlier statements stay.
    await expect(s.execute('INSERT INTO t (id, u) VALUES (3, 3), (4, 1)')).rejects.toMatchObject({ errno: 1062, message: "Duplicate entry '1' for key 'u_1'" });
    expect(s.inTransaction).toBe(true);
    expect(rowsOf(await s.execute('SELECT id FROM t ORDER BY id'))).toEqual([[1], [2]]);
    expect(rowsOf(await other.execute('SELECT COUNT(*) FROM t'))).toEqual([[0n]]);
    await s.execute('COMMIT');
    expect(s.inTransaction).toBe(false);
    expect(rowsOf(await other.execute('SELECT COUNT(*) FROM t'))).toEqual([[2n]]);
    expect(te.committer.log.length).toBe(logged + 1);
    expect(te.committer.log.at(-1)!.events.map((e) => e.kind)).toEqual(['tableMap', 'writeRows']);

    await s.execute('START TRANSACTION');
    await s.execute('UPDATE t SET v = \'y\' WHERE id = 1');
    await s.execute('ROLLBACK');
    expect(rowsOf(await s.execute('SELECT v FROM t WHERE id = 1'))).toEqual([['x']]);
    expect(te.committer.log.length).toBe(logged + 1);

    await s.execute('SET autocommit = 0');
    expect(s.autocommit).toBe(false);
    await s.execute('DELETE FROM t WHERE id = 2');
    expect(s.inTransaction).toBe(true);
    expect(rowsOf(await other.execute('SELECT COUNT(*) FROM t'))).toEqual([[2n]]);
    await s.execute('SET autocommit = ON'); // commits the open transaction
    expect(s.inTransaction).toBe(false);
    expect(rowsOf(await other.execute('SELECT COUNT(*) FROM t'))).toEqual([[1n]]);
    expect(te.committer.log.length).toBe(logged + 2);
    // Read-only transactions never reach the committer.
    await s.execute('BEGIN');
    await s.execute('SELECT * FROM t WHERE id = 1 FOR UPDATE');
    await s.execute('COMMIT');
    expect(te.committer.log.length).toBe(logged + 2);
    await te.close();
  });

  it('a committer failure rolls the transaction back and reports its error', async () => {
    const te = await openTestEngine();
    const s = await setup(te);
    te.committer.failNext = new LockstepError('TEST_COMMIT_FAILED', 'disk on fire', { errno: 1180 });
    await expect(s.execute('INSERT INTO t (id) VALUES (1)')).rejects.toMatchObject({ errno: 1180 });
    expect(s.inTransaction).toBe(false);
    expect(rowsOf(await s.execute('SELECT COUNT(*) FROM t'))).toEqual([[0n]]);
    await s.execute('INSERT INTO t (id) VALUES (1)');
    expect(rowsOf(await s.execute('SELECT COUNT(*) FROM t'))).toEqual([[1n]]);
    await te.close();
  });

  it('REPLACE, INSERT IGNORE (warning), ON DUPLICATE KEY UPDATE, unique keys with NULLs', async () => {
    const te = await openTestEngine();
    const s = await setup(te);
    await s.execute('INSERT INTO t (id, u, v) VALUES (1, 10, \'a\'), (2, 20, \'b\'), (3, NULL, \'c\'), (4, NULL, \'d\')');
    const ign = await s.execute('INSERT IGNORE INTO t (id, u) VALUES (5, 10), (6, 60)');
    expect(ign).toMatchObject({ affectedRows: 1n, warnings: 1 });
    expect(rowsOf(await s.execute('SHOW WARNINGS'))).toEqual([['Warning', 1062n, "Duplicate entry '10' for key 'u_1'"]]);
    expect(rowsOf(await s.execute('SELECT @@warning_count'))).toEqual([[0n]]);
    // REPLACE deleting two rows (one by primary key, one by unique key).
    expect(affected(await s.execute('REPLACE INTO t (id, u, v) VALUES (1, 20, \'r\')'))).toBe(3n);
    expect(rowsOf(await s.execute('SELECT id, u, v FROM t ORDER BY id'))).toEqual([[1, 20, 'r'], [3, null, 'c'], [4, null, 'd'], [6, 60, 'x']]);
    expect(affected(await s.execute('INSERT INTO t (id, u) VALUES (6, 1) ON DUPLICATE KEY UPDATE v = \'dup\''))).toBe(2n);
    expect(affected(await s.execute('INSERT INTO t (id, u) VALUES (7, 1) ON DUPLICATE KEY UPDATE v = \'new\''))).toBe(1n);
    expect(rowsOf(await s.execute('SELECT id, u, v FROM t WHERE id >= 6 ORDER BY id'))).toEqual([[6, 60, 'dup'], [7, 1, 'x']]);
    await expect(s.execute('UPDATE t SET u = 60 WHERE id = 7')).rejects.toMatchObject({ errno: 1062 });
    await expect(s.execute('UPDATE t SET id = 6 WHERE id = 7')).rejects.toMatchObject({ errno: 1062, message: "Duplicate entry '6' for key 'PRIMARY'" });
    expect(rowsOf(await s.execute('SELECT id FROM t WHERE u = 60'))).toEqual([[6]]);
    const kinds = te.committer.log.slice(-3).map((l) => l.events.map((e) => e.kind));
    expect(kinds[0]).toEqual(['tableMap', 'deleteRows', 'writeRows']);
    await te.close();
  });

  it('CREATE INDEX builds over existing rows, refuses duplicates for UNIQUE, and the index serves reads', async () => {
    const te = await openTestEngine();
    const s = await setup(te);
    await s.execute("INSERT INTO t (id, u, v) VALUES (1, 1, 'p'), (2, 2, 'q'), (3, 3, 'p')");
    await expect(s.execute('CREATE UNIQUE INDEX v_u ON t (v)')).rejects.toMatchObject({ errno: 1062 });
    await s.execute('CREATE INDEX v_i ON t (v)');
    expect(rowsOf(await s.execute("SELECT id FROM t WHERE v = 'p' ORDER BY id"))).toEqual([[1], [3]]);
    await s.execute("UPDATE t SET v = 'z' WHERE id = 1");
    expect(rowsOf(await s.execute("SELECT id FROM t WHERE v = 'p'"))).toEqual([[3]]);
    expect(rowsOf(await s.execute("SELECT id FROM t WHERE v >= 'q' ORDER BY id"))).toEqual([[1], [2]]);
    expect(rowsOf(await s.execute('SHOW INDEX FROM t')).map((r) => r[2])).toEqual(['PRIMARY', 'u_1', 'v_i']);
    await te.close();
  });

  it('tables without a primary key: hidden row ids, updates and deletes, counters after reopen', async () => {
    let te = await openTestEngine();
    const s = await setup(te);
    await s.execute('CREATE TABLE h (a INT, b VARCHAR(5))');
    await s.execute("INSERT INTO h VALUES (1, 'x'), (1, 'x'), (2, 'y')");
    expect(affected(await s.execute("UPDATE h SET b = 'z' WHERE a = 1"))).toBe(2n);
    expect(affected(await s.execute('DELETE FROM h WHERE a = 2'))).toBe(1n);
    te = await te.reopen();
    const s2 = te.engine.session({ connectionId: 1, user: 'u', host: 'h', database: 'd' });
    await s2.execute("INSERT INTO h VALUES (3, 'w')");
    expect(rowsOf(await s2.execute('SELECT a, b FROM h ORDER BY a'))).toEqual([[1, 'z'], [1, 'z'], [3, 'w']]);
    await te.close();
  });

  it('the catalog and AUTO_INCREMENT survive a reopen', async () => {
    let te = await openTestEngine();
    const s = te.engine.session({ connectionId: 1, user: 'u', host: 'h' });
    await s.execute('CREATE DATABASE a');
    await s.execute('CREATE DATABASE b');
    await s.execute('CREATE TABLE a.t1 (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, c CHAR(3))');
    await s.execute("INSERT INTO a.t1 (c) VALUES ('x'), ('y')");
    await s.execute('CREATE INDEX c_i ON a.t1 (c)');
    await s.execute('DROP DATABASE b');
    const before = rowsOf(await s.execute('SHOW CREATE TABLE a.t1'));
    te = await te.reopen();
    const s2 = te.engine.session({ connectionId: 1, user: 'u', host: 'h', database: 'a' });
    expect(rowsOf(await s2.execute('SHOW DATABASES'))).toEqual([['a']]);
    expect(rowsOf(await s2.execute('SHOW CREATE TABLE t1'))).toEqual(before);
    const r = await s2.execute("INSERT INTO t1 (c) VALUES ('z')");
    expect(r).toMatchObject({ lastInsertId: 3n });
    expect(rowsOf(await s2.execute("SELECT id FROM t1 WHERE c = 'z'"))).toEqual([[3n]]);
    await te.close();
  });
});

describe('executor: session statements', () => {
  it('answers what the mariadb client and mysql2 send on connect, SET/SELECT @@, SHOW', async () => {
    const te = await openTestEngine();
    const s = await setup(te);
    expect(rowsOf(await s.execute('select @@version_comment limit 1'))).toEqual([['Lockstep']]);
    expect(rowsOf(await s.execute('SELECT DATABASE(), CONNECTION_ID(), VERSION()'))).toEqual([['d', 7n, '10.11.99-MariaDB-Lockstep']]);
    const r = await s.execute('SELECT @@max_allowed_packet, @@session.autocommit, @@global.server_id, @@tx_isolation');
    expect(rowsOf(r)).toEqual([[16777216n, 1n, 1n, 'REPEATABLE-READ']]);
    expect(r.kind === 'rows' && r.columns.map((c) => c.name)).toEqual(['@@max_allowed_packet', '@@session.autocommit', '@@global.server_id', '@@tx_isolation']);
    await s.execute('SET NAMES utf8mb4');
    await s.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES'");
    expect(rowsOf(await s.execute('SELECT @@sql_mode'))).toEqual([['STRICT_ALL_TABLES']]);
    await s.execute('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    expect(rowsOf(await s.execute('SELECT @@transaction_isolation'))).toEqual([['READ-COMMITTED']]);
    // SET ... = DEFAULT (mariadb-binlog's output sends it): back to the built-in session default.
    await s.execute("SET @@session.collation_database = 'latin1_swedish_ci'");
    expect(rowsOf(await s.execute('SELECT @@collation_database'))).toEqual([['latin1_swedish_ci']]);
    await s.execute('SET @@session.collation_database=DEFAULT');
    expect(rowsOf(await s.execute('SELECT @@collation_database'))).toEqual([['utf8mb4_bin']]);
    await expect(s.execute('SET GLOBAL read_only = DEFAULT')).rejects.toMatchObject({ errno: 1235 });
    await s.execute('SET @x = 41 + 1');
    expect(rowsOf(await s.execute('SELECT @x'))).toEqual([['42']]); // user variables are typed as text in result metadata
    await expect(s.execute('SET nope = 1')).rejects.toMatchObject({ errno: 1193 });
    await expect(s.execute('SELECT @@nope')).rejects.toMatchObject({ errno: 1193 });
    await s.execute('SET GLOBAL read_only = 1');
    expect(te.hooks.globals.get('read_only')).toBe(1);
    expect(rowsOf(await s.execute('SHOW TABLES'))).toEqual([['t']]);
    expect(rowsOf(await s.execute('SHOW FULL TABLES FROM d'))).toEqual([['t', 'BASE TABLE']]);
    expect(rowsOf(await s.execute("SHOW VARIABLES LIKE 'auto%'"))).toEqual([['auto_increment_increment', '1'], ['auto_increment_offset', '1'], ['autocommit', '1']]);
    expect(rowsOf(await s.execute("SHOW GLOBAL VARIABLES LIKE 'server_id'"))).toEqual([['server_id', '1']]);
    expect(rowsOf(await s.execute("SHOW STATUS LIKE 'Com_insert'"))).toHaveLength(1);
    expect(rowsOf(await s.execute('SHOW COLUMNS FROM t')).map((c) => [c[0], c[1], c[3]])).toEqual([['id', 'int(11)', 'PRI'], ['u', 'int(11)', 'UNI'], ['v', 'varchar(10)', '']]);
    expect(rowsOf(await s.execute('SHOW ENGINES'))[0]![0]).toBe('ROCKSDB');
    expect(rowsOf(await s.execute("SHOW COLLATION LIKE 'utf8mb4%'"))).toHaveLength(1);
    expect(rowsOf(await s.execute('SHOW CHARACTER SET'))).toHaveLength(2);
    expect(rowsOf(await s.execute('SHOW CREATE DATABASE d'))[0]![0]).toBe('d');
    for (const admin of ['SHOW MASTER STATUS', 'SHOW BINARY LOGS', 'SHOW PROCESSLIST', 'SHOW SLAVE STATUS', "PURGE BINARY LOGS TO 'x.000002'", 'STOP SLAVE', 'START SLAVE', 'RESET SLAVE', 'KILL 3', 'FLUSH LOGS', "CHANGE MASTER TO MASTER_HOST='h'"]) await s.execute(admin);
    expect(te.hooks.admin).toEqual(['show', 'show', 'show', 'show', 'purgeBinaryLogs', 'stopReplica', 'startReplica', 'resetReplica', 'kill', 'flush', 'changeMaster']);
    await expect(s.execute('ALTER TABLE t ADD COLUMN z INT')).rejects.toMatchObject({ errno: 1235 });
    await expect(s.execute('SELEC 1')).rejects.toMatchObject({ errno: 1064 });
    await te.close();
  });

  it('prepared statements: columns at prepare, parameters, errors', async () => {
    const te = await openTestEngine();
    const s = await setup(te);
    await s.execute("INSERT INTO t (id, u, v) VALUES (1, 1, 'a'), (2, 2, 'b')");
    const p = s.prepare('SELECT v, COUNT(*) FROM t WHERE id BETWEEN ? AND ?');
    expect(p.paramCount).toBe(2);
    expect(p.columns.map((c) => [c.name, c.type.kind, c.table, c.orgName])).toEqual([['v', 'varchar', 't', 'v'], ['COUNT(*)', 'int', '', '']]);
    expect(rowsOf(await s.executePrepared(p.statementId, [1, 2]))).toEqual([['a', 2n]]);
    await expect(s.executePrepared(p.statementId, [1])).rejects.toMatchObject({ errno: 1210 });
    const u = s.prepare('UPDATE t SET v = ? WHERE id = ?');
    expect(await s.executePrepared(u.statementId, ['z', 2])).toMatchObject({ affectedRows: 1n });
    s.closePrepared(u.statementId);
    await expect(s.executePrepared(u.statementId, ['z', 2])).rejects.toMatchObject({ errno: 1243 });
    await expect(s.execute('SELECT * FROM t WHERE id = ?')).rejects.toMatchObject({ errno: 1210 });
    expect(() => s.prepare('SELECT * FROM nope')).toThrow(expect.objectContaining({ errno: 1146 }) as Error);
    await te.close();
  });

  it('read_only refuses writes with 1290', async () => {
    let ro = false;
    const te = await openTestEngine({ readOnly: () => ro });
    const s = await setup(te);
    ro = true;
    await expect(s.execute('INSERT INTO t (id) VALUES (1)')).rejects.toMatchObject({ errno: 1290 });
    await expect(s.execute('CREATE TABLE x (a INT)')).rejects.toMatchObject({ errno: 1290 });
    expect(rowsOf(await s.execute('SELECT COUNT(*) FROM t'))).toEqual([[0n]]);
    await te.close();
  });
});
