import { describe, expect, it } from 'vitest';
import {
  Catalog,
  compileSelect,
  NotSupportedError,
  parseStatementUncached,
  SqlDateTime,
  UnknownColumnError,
  type EvalContext,
  type RowSource,
  type SelectStatement,
  type SqlValue,
} from '../src/index.js';
import { column, createTable, INT, sbtest } from './support/ddl.js';
import { EncodedTable } from './support/table-store.js';

const catalog = new Catalog();
catalog.createDatabase('sbtest');
catalog.createTable(sbtest(), 'sbtest');
const table = catalog.createIndex('sbtest', 'sbtest1', { name: 'k_1', columns: ['k'], unique: false }).table;
catalog.createTable(createTable('n', [column('id', INT, { nullable: false }), column('v', INT)], ['id']), 'sbtest');
const nTable = catalog.getTable('sbtest', 'n');

// 20 sysbench rows: k repeats every 3 ids, c repeats every 4.
const rows: SqlValue[][] = Array.from({ length: 20 }, (_, i) => [i + 1, (i % 3) + 10, `c-${String((i + 1) % 4)}`, `pad-${i + 1}`]);
const store = new EncodedTable(table, rows);
const nStore = new EncodedTable(nTable, [
  [1, 5],
  [2, null],
  [3, 1],
  [4, null],
]);

let rowsRead = 0;
const source =
  (s: EncodedTable): RowSource =>
  (plan, resolved) => {
    const out = s.read(plan.index.id, resolved.ranges);
    return {
      *[Symbol.iterator]() {
        for (const r of out) {
          rowsRead++;
          yield r;
        }
      },
    };
  };

const ctx = (params: SqlValue[] = []): EvalContext => ({
  params,
  now: SqlDateTime.parse('2026-01-01 00:00:00')!,
  session: {
    currentDatabase: () => 'sbtest',
    connectionId: () => 1,
    lastInsertId: () => 0,
    version: () => '10.11.99-Lockstep',
    user: () => 'u',
    systemVariable: (name) => (name === 'version_comment' ? 'Lockstep' : null),
    userVariable: () => null,
  },
});

function run(sql: string, params: SqlValue[] = [], s: EncodedTable = store) {
  const stmt = parseStatementUncached(sql).statement as SelectStatement;
  const q = compileSelect(stmt, catalog, 'sbtest');
  return { q, result: q.execute(source(s), ctx(params)) };
}

describe('SELECT over an access path (the sysbench reads)', () => {
  it('point select', () => {
    const { q, result } = run('SELECT c FROM sbtest1 WHERE id=?', [7]);
    expect(q.access!.kind).toBe('primaryPoint');
    expect(q.columns).toEqual([{ name: 'c', column: table.columns[2] }]);
    expect(result).toEqual([['c-3']]);
  });

  it('simple range, SUM range, ORDER BY range, DISTINCT range', () => {
    expect(run('SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ?', [3, 6]).result).toEqual([['c-3'], ['c-0'], ['c-1'], ['c-2']]);
    expect(run('SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN ? AND ?', [3, 6]).result).toEqual([[12 + 10 + 11 + 12]]);
    expect(run('SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c', [3, 6]).result).toEqual([['c-0'], ['c-1'], ['c-2'], ['c-3']]);
    expect(run('SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c', [1, 20]).result).toEqual([['c-0'], ['c-1'], ['c-2'], ['c-3']]);
  });

  it('aggregates over no rows: COUNT 0, SUM NULL; several aggregates and plain columns', () => {
    expect(run('SELECT COUNT(*), SUM(k), MIN(c), MAX(id) FROM sbtest1 WHERE id > 100').result).toEqual([[0, null, null, null]]);
    expect(run('SELECT COUNT(*), MIN(c), MAX(id), AVG(k) FROM sbtest1').result).toEqual([[20, 'c-0', 20, (7 * 10 + 7 * 11 + 6 * 12) / 20]]);
    expect(run('SELECT COUNT(DISTINCT k) FROM sbtest1').result).toEqual([[3]]);
  });

  it('secondary index reads, ORDER BY alias / position / DESC, LIMIT with OFFSET and parameters', () => {
    const byK = run('SELECT id FROM sbtest1 WHERE k = 11 ORDER BY id DESC LIMIT ?, ?', [1, 3]);
    expect(byK.q.access!.kind).toBe('indexRange');
    expect(byK.result).toEqual([[17], [14], [11]]); // k = 11 at ids 2, 5, ..., 20
    expect(run('SELECT id AS x FROM sbtest1 WHERE id < 4 ORDER BY x DESC').result).toEqual([[3], [2], [1]]);
    expect(run('SELECT id, k FROM sbtest1 WHERE id < 4 ORDER BY 2 DESC, 1').result).toEqual([[3, 12], [2, 11], [1, 10]]);
    expect(run('SELECT id FROM sbtest1 LIMIT 2 OFFSET 18').result).toEqual([[19], [20]]);
  });

  it('NULLs sort first ascending and last descending', () => {
    expect(run('SELECT id FROM n ORDER BY v, id', [], nStore).result).toEqual([[2], [4], [3], [1]]);
    expect(run('SELECT id FROM n ORDER BY v DESC, id', [], nStore).result).toEqual([[1], [3], [2], [4]]);
  });

  it('stops reading once LIMIT is satisfied when nothing needs all rows', () => {
    rowsRead = 0;
    expect(run('SELECT id FROM sbtest1 LIMIT 2').result).toEqual([[1], [2]]);
    expect(rowsRead).toBe(2);
    rowsRead = 0;
    run('SELECT id FROM sbtest1 ORDER BY c LIMIT 2');
    expect(rowsRead).toBe(20);
  });

  it('* expands to every column; FOR UPDATE is reported for the executor to lock', () => {
    const { q, result } = run('SELECT * FROM sbtest1 WHERE id = 1 FOR UPDATE');
    expect(q.columns.map((c) => c.name)).toEqual(['id', 'k', 'c', 'pad']);
    expect(q.lock).toBe('forUpdate');
    expect(result).toEqual([rows[0]]);
  });

  it('SELECT without a table evaluates once (connect-time queries)', () => {
    expect(run('select @@version_comment limit 1').result).toEqual([['Lockstep']]);
    expect(run('SELECT 1 + 1, DATABASE(), VERSION()').result).toEqual([[2, 'sbtest', '10.11.99-Lockstep']]);
    expect(run('SELECT 1 LIMIT 0').result).toEqual([]);
  });

  it('maxSortRows bounds what ORDER BY holds (a plain LIMIT read is not bounded by it)', () => {
    const stmt = parseStatementUncached('SELECT id FROM sbtest1 ORDER BY c').statement as SelectStatement;
    expect(() => compileSelect(stmt, catalog, 'sbtest', { maxSortRows: 19 }).execute(source(store), ctx())).toThrow(NotSupportedError);
    expect(compileSelect(stmt, catalog, 'sbtest', { maxSortRows: 20 }).execute(source(store), ctx())).toHaveLength(20);
  });

  it('refuses aggregates in WHERE, unknown columns, bad LIMIT (GROUP BY: test/executor/group-by.test.ts)', () => {
    expect(() => run('SELECT k, COUNT(*) FROM sbtest1 GROUP BY nope')).toThrow(UnknownColumnError);
    expect(() => run('SELECT id FROM sbtest1 WHERE SUM(k) > 1')).toThrow(NotSupportedError);
    expect(() => run('SELECT nope FROM sbtest1')).toThrow("Unknown column 'nope' in 'field list'");
    expect(() => run('SELECT id FROM sbtest1 WHERE nope = 1')).toThrow(UnknownColumnError);
    expect(() => run('SELECT id FROM sbtest1 ORDER BY 9')).toThrow(UnknownColumnError);
    expect(() => run('SELECT id FROM sbtest1 LIMIT ?', [-1])).toThrow(NotSupportedError);
    expect(() => run('SELECT id FROM nosuch')).toThrow("Table 'sbtest.nosuch' doesn't exist");
  });
});
