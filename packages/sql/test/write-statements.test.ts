import { describe, expect, it } from 'vitest';
import {
  Catalog,
  ColumnNullError,
  compileDelete,
  compileInsert,
  compileUpdate,
  DataTooLongError,
  NotSupportedError,
  parseStatementUncached,
  SqlDateTime,
  UnknownColumnError,
  type EvalContext,
  type SqlValue,
  type Statement,
} from '../src/index.js';
import { sbtest } from './support/ddl.js';

const catalog = new Catalog();
catalog.createDatabase('sbtest');
catalog.createTable(sbtest(), 'sbtest');
catalog.createIndex('sbtest', 'sbtest1', { name: 'k_1', columns: ['k'], unique: false });

const ctx = (params: SqlValue[] = [], insertedRow?: SqlValue[]): EvalContext => ({
  params,
  now: SqlDateTime.parse('2026-01-01 00:00:00')!,
  session: { currentDatabase: () => 'sbtest', connectionId: () => 1, lastInsertId: () => 0, version: () => '', user: () => '', systemVariable: () => null, userVariable: () => null },
  ...(insertedRow === undefined ? {} : { insertedRow }),
});
const stmt = <K extends Statement['kind']>(sql: string, kind: K) => {
  const s = parseStatementUncached(sql).statement;
  expect(s.kind).toBe(kind);
  return s as Extract<Statement, { kind: K }>;
};

describe('UPDATE', () => {
  it("sysbench's index update: k=k+1 by primary key point; the k index changes", () => {
    const u = compileUpdate(stmt('UPDATE sbtest1 SET k=k+1 WHERE id=?', 'update'), catalog, 'sbtest');
    expect(u.access.kind).toBe('primaryPoint');
    expect(u.changedIndexes).toEqual([0]);
    expect(u.changesPrimaryKey).toBe(false);
    const resolved = u.access.resolve([5]);
    expect(u.filterFor(resolved)([5, 10, 'c', 'p'], ctx([5]))).toBe(true);
    expect(u.apply([5, 10, 'c', 'p'], ctx([5]), 1)).toEqual([5, 11, 'c', 'p']);
  });

  it("sysbench's non-index update: c=? changes no index; values are coerced with strict-mode errors", () => {
    const u = compileUpdate(stmt('UPDATE sbtest1 SET c=? WHERE id=?', 'update'), catalog, 'sbtest');
    expect(u.changedIndexes).toEqual([]);
    expect(u.apply([5, 10, 'c', 'p'], ctx(['new', 5]), 1)).toEqual([5, 10, 'new', 'p']);
    expect(() => u.apply([5, 10, 'c', 'p'], ctx(['x'.repeat(121), 5]), 1)).toThrow(DataTooLongError);
    const n = compileUpdate(stmt('UPDATE sbtest1 SET k = NULL', 'update'), catalog, 'sbtest');
    expect(() => n.apply([5, 10, 'c', 'p'], ctx(), 1)).toThrow(ColumnNullError);
  });

  it('assignments run left to right and see earlier ones; DEFAULT; primary key moves', () => {
    const u = compileUpdate(stmt("UPDATE sbtest1 SET k = k + 1, c = CONCAT('k=', k), pad = DEFAULT", 'update'), catalog, 'sbtest');
    expect(u.apply([1, 10, 'c', 'p'], ctx(), 1)).toEqual([1, 11, 'k=11', '']);
    const moved = compileUpdate(stmt('UPDATE sbtest1 SET id = id + 100 WHERE id BETWEEN 1 AND 5', 'update'), catalog, 'sbtest');
    expect(moved.changesPrimaryKey).toBe(true);
    expect(moved.changedIndexes).toEqual([0]); // secondary keys end with the primary key
    expect(moved.access.kind).toBe('primaryRange');
    expect(() => compileUpdate(stmt('UPDATE sbtest1 SET nope = 1', 'update'), catalog, 'sbtest')).toThrow(UnknownColumnError);
  });
});

describe('DELETE', () => {
  it("sysbench's delete by primary key; residual filters when the plan cannot enforce everything", () => {
    const d = compileDelete(stmt('DELETE FROM sbtest1 WHERE id=?', 'delete'), catalog, 'sbtest');
    expect(d.access.kind).toBe('primaryPoint');
    const r = compileDelete(stmt("DELETE FROM sbtest1 WHERE id = ? AND c = 'x'", 'delete'), catalog, 'sbtest');
    const f = r.filterFor(r.access.resolve([1]));
    expect(f([1, 0, 'x', ''], ctx([1]))).toBe(true);
    expect(f([1, 0, 'y', ''], ctx([1]))).toBe(false);
    const all = compileDelete(stmt('DELETE FROM sbtest1', 'delete'), catalog, 'sbtest');
    expect(all.access.kind).toBe('fullScan');
  });
});

describe('INSERT', () => {
  it("sysbench's prepared insert and the prepare step's multi-row insert with AUTO_INCREMENT", () => {
    const i = compileInsert(stmt('INSERT INTO sbtest1 (id, k, c, pad) VALUES (?, ?, ?, ?)', 'insert'), catalog, 'sbtest');
    expect(i.rows(ctx([17, '4990', 'c', 'p']))).toEqual([{ row: [17, 4990, 'c', 'p'], generatedId: undefined }]);
    const bulk = compileInsert(stmt("INSERT INTO sbtest1(k, c, pad) VALUES(1, 'a', 'b'),(2, 'c', 'd')", 'insert'), catalog, 'sbtest');
    const rows = bulk.rows(ctx());
    expect(rows.map((r) => r.row)).toEqual([
      [18, 1, 'a', 'b'],
      [19, 2, 'c', 'd'],
    ]);
    expect(rows.map((r) => r.generatedId)).toEqual([18n, 19n]);
  });

  it('ON DUPLICATE KEY UPDATE reads the inserted row through VALUES(); REPLACE and IGNORE are flagged', () => {
    const i = compileInsert(stmt('INSERT INTO sbtest1 (id, k) VALUES (1, 5) ON DUPLICATE KEY UPDATE k = k + VALUES(k)', 'insert'), catalog, 'sbtest');
    const inserted = i.rows(ctx())[0]!.row;
    expect(i.onDuplicate!([1, 10, 'c', 'p'], ctx([], inserted), 1)).toEqual([1, 15, 'c', 'p']);
    expect(compileInsert(stmt('REPLACE INTO sbtest1 (id) VALUES (1)', 'insert'), catalog, 'sbtest').replace).toBe(true);
    expect(compileInsert(stmt('INSERT IGNORE INTO sbtest1 (id) VALUES (1)', 'insert'), catalog, 'sbtest').ignore).toBe(true);
  });

  it('column references in values are refused (1235); unknown ones are 1054', () => {
    expect(() => compileInsert(stmt('INSERT INTO sbtest1 (id, k) VALUES (1, id)', 'insert'), catalog, 'sbtest')).toThrow(NotSupportedError);
    expect(() => compileInsert(stmt('INSERT INTO sbtest1 (id, k) VALUES (1, nope)', 'insert'), catalog, 'sbtest')).toThrow(UnknownColumnError);
  });
});
