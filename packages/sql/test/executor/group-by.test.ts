import { describe, expect, it } from 'vitest';
import { openTestEngine, rowsOf } from './harness.js';

describe('executor: GROUP BY and HAVING', () => {
  it('groups by expressions, aliases and positions; group-key order without ORDER BY; HAVING on aggregates', async () => {
    const te = await openTestEngine();
    const s = te.engine.session({ connectionId: 1, user: 'u', host: 'h' });
    await s.execute('CREATE DATABASE d');
    await s.execute('USE d');
    await s.execute('CREATE TABLE t (id INT PRIMARY KEY, g VARCHAR(5), v INT)');
    await s.execute("INSERT INTO t VALUES (1, 'b', 10), (2, 'a', 1), (3, 'b', 5), (4, NULL, 7), (5, 'a', 2), (6, 'c', NULL)");
    expect(rowsOf(await s.execute('SELECT g, COUNT(*), SUM(v), MIN(v), MAX(id) FROM t GROUP BY g'))).toEqual([
      [null, 1n, 7n, 7, 4],
      ['a', 2n, 3n, 1, 5],
      ['b', 2n, 15n, 5, 3],
      ['c', 1n, null, null, 6],
    ]);
    expect(rowsOf(await s.execute('SELECT g AS grp, COUNT(v) AS n FROM t GROUP BY grp ORDER BY n DESC, grp'))).toEqual([['a', 2n], ['b', 2n], [null, 1n], ['c', 0n]]);
    expect(rowsOf(await s.execute('SELECT g, SUM(v) FROM t GROUP BY 1 HAVING SUM(v) > 5'))).toEqual([[null, 7n], ['b', 15n]]);
    expect(rowsOf(await s.execute('SELECT g FROM t WHERE id > 1 GROUP BY g HAVING COUNT(*) >= 2'))).toEqual([['a']]);
    expect(rowsOf(await s.execute('SELECT v % 2, COUNT(*) FROM t WHERE v IS NOT NULL GROUP BY v % 2'))).toEqual([[0n, 2n], [1n, 3n]]);
    expect(rowsOf(await s.execute('SELECT g FROM t WHERE id > 100 GROUP BY g'))).toEqual([]);
    expect(rowsOf(await s.execute('SELECT COUNT(*) FROM t WHERE id > 100'))).toEqual([[0n]]);
    await expect(s.execute('SELECT g FROM t GROUP BY nope')).rejects.toMatchObject({ errno: 1054 });
    await te.close();
  });
});
