import { describe, expect, it } from 'vitest';
import { affected, openTestEngine, rowsOf } from './harness.js';

describe('executor: statements through a session', () => {
  it('DDL, INSERT, SELECT, UPDATE, DELETE with binlog events and errnos', async () => {
    const te = await openTestEngine();
    const s = te.engine.session({ connectionId: 1, user: 'root', host: 'localhost' });
    await s.execute('CREATE DATABASE d');
    await expect(s.execute('CREATE DATABASE d')).rejects.toMatchObject({ errno: 1007 });
    expect(await s.execute('CREATE DATABASE IF NOT EXISTS d')).toMatchObject({ warnings: 1 });
    expect(rowsOf(await s.execute('SHOW WARNINGS'))).toEqual([['Note', 1007n, "Can't create database 'd'; database exists"]]);
    await expect(s.execute('SELECT * FROM t')).rejects.toMatchObject({ errno: 1046 });
    await expect(s.execute('USE nope')).rejects.toMatchObject({ errno: 1049 });
    await s.execute('USE d');
    expect(s.database).toBe('d');
    await s.execute('CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT, k INT NOT NULL DEFAULT 0, c VARCHAR(20) NOT NULL, PRIMARY KEY (id), KEY k_1 (k))');
    await expect(s.execute('CREATE TABLE t (id INT PRIMARY KEY)')).rejects.toMatchObject({ errno: 1050 });
    const ins = await s.execute("INSERT INTO t (k, c) VALUES (5, 'a'), (7, 'b'), (5, 'c')");
    expect(ins).toMatchObject({ kind: 'ok', affectedRows: 3n, lastInsertId: 1n });
    expect(rowsOf(await s.execute('SELECT LAST_INSERT_ID()'))).toEqual([[1n]]);
    expect(rowsOf(await s.execute('SELECT id, c FROM t WHERE k = 5 ORDER BY id'))).toEqual([[1, 'a'], [3, 'c']]);
    expect(rowsOf(await s.execute('SELECT c FROM t WHERE id BETWEEN 2 AND 3'))).toEqual([['b'], ['c']]);
    expect(rowsOf(await s.execute('SELECT COUNT(*), SUM(k), MIN(c), MAX(id) FROM t'))).toEqual([[3n, 17n, 'a', 3]]);
    expect(rowsOf(await s.execute('SELECT DISTINCT k FROM t ORDER BY k DESC'))).toEqual([[7], [5]]);
    expect(rowsOf(await s.execute('SELECT id FROM t WHERE id IN (1, 3) OR k > 6 ORDER BY id LIMIT 2 OFFSET 1'))).toEqual([[2], [3]]);
    // LIMIT stops the read early only when the ranges are the whole filter: both give the right rows.
    expect(rowsOf(await s.execute('SELECT id FROM t LIMIT 2'))).toEqual([[1], [2]]);
    expect(rowsOf(await s.execute('SELECT id FROM t LIMIT 1, 5'))).toEqual([[2], [3]]);
    expect(rowsOf(await s.execute("SELECT id FROM t WHERE c = 'c' LIMIT 1"))).toEqual([[3]]);
    expect(rowsOf(await s.execute('SELECT id FROM t WHERE id > 1 LIMIT 1'))).toEqual([[2]]);
    expect(rowsOf(await s.execute('SELECT COUNT(*) FROM t LIMIT 1'))).toEqual([[3n]]);
    await expect(s.execute('SELECT nope FROM t')).rejects.toMatchObject({ errno: 1054 });
    await expect(s.execute('SELECT * FROM missing')).rejects.toMatchObject({ errno: 1146 });
    await expect(s.execute('INSERT INTO t (id, k, c) VALUES (1, 0, "x")')).rejects.toMatchObject({ errno: 1062 });
    await expect(s.execute('INSERT INTO t (k) VALUES (1)')).rejects.toMatchObject({ errno: 1364 });
    await expect(s.execute('INSERT INTO t (k, c) VALUES (1, NULL)')).rejects.toMatchObject({ errno: 1048 });
    await expect(s.execute("INSERT INTO t (k, c) VALUES (1, '123456789012345678901')")).rejects.toMatchObject({ errno: 1406 });
    await expect(s.execute("INSERT INTO t (k, c) VALUES (99999999999, 'x')")).rejects.toMatchObject({ errno: 1264 });
    expect(affected(await s.execute('UPDATE t SET k = k + 1 WHERE k = 5'))).toBe(2n);
    expect(rowsOf(await s.execute('SELECT id FROM t WHERE k = 6 ORDER BY id'))).toEqual([[1], [3]]);
    expect(rowsOf(await s.execute('SELECT id FROM t WHERE k = 5'))).toEqual([]);
    expect(affected(await s.execute('UPDATE t SET k = 6 WHERE id = 1'))).toBe(0n);
    expect(affected(await s.execute('DELETE FROM t WHERE id = 2'))).toBe(1n);
    expect(rowsOf(await s.execute('SELECT COUNT(*) FROM t'))).toEqual([[2n]]);
    expect(affected(await s.execute('UPDATE t SET id = 10 WHERE id = 3'))).toBe(1n);
    expect(rowsOf(await s.execute('SELECT id, k FROM t WHERE k = 6 ORDER BY id'))).toEqual([[1, 6], [10, 6]]);

    // The binlog: DDL as QUERY events, each DML statement as TABLE_MAP + rows events with full images.
    const log = te.committer.log;
    expect(log.filter((l) => l.ddl).map((l) => (l.events[0]!.kind === 'query' ? l.events[0]!.sql : ''))).toEqual([
      'CREATE DATABASE d',
      'CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT, k INT NOT NULL DEFAULT 0, c VARCHAR(20) NOT NULL, PRIMARY KEY (id), KEY k_1 (k))',
    ]);
    const dml = log.filter((l) => !l.ddl).map((l) => l.events.map((e) => e.kind));
    expect(dml).toEqual([
      ['tableMap', 'writeRows'],
      ['tableMap', 'updateRows'],
      ['tableMap', 'deleteRows'],
      ['tableMap', 'updateRows'],
    ]);
    const upd = log.filter((l) => !l.ddl)[1]!.events[1]!;
    expect(upd.kind === 'updateRows' && upd.rows.map((r) => [r.before, r.after])).toEqual([
      [[1, 5, new TextEncoder().encode('a')], [1, 6, new TextEncoder().encode('a')]],
      [[3, 5, new TextEncoder().encode('c')], [3, 6, new TextEncoder().encode('c')]],
    ]);
    await s.execute('DROP TABLE t');
    await expect(s.execute('DROP TABLE t')).rejects.toMatchObject({ errno: 1051 });
    await s.execute('DROP TABLE IF EXISTS t');
    expect(rowsOf(await s.execute('SHOW WARNINGS'))).toEqual([['Note', 1051n, "Unknown table 'd.t'"]]);
    await s.execute('DROP DATABASE d');
    await expect(s.execute('DROP DATABASE d')).rejects.toMatchObject({ errno: 1008 });
    await te.close();
  });
});
