import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Catalog,
  compileCondition,
  planAccess,
  SqlDateTime,
  tableColumnResolver,
  type ColumnType,
  type EvalContext,
  type Expr,
  type SqlValue,
  type TableSchema,
  parseStatementUncached,
} from '../src/index.js';
import { column, createTable, INT, sbtest } from './support/ddl.js';
import { EncodedTable } from './support/table-store.js';

const RUNS = Number(process.env.LOCKSTEP_PROPERTY_RUNS ?? 400);

const ctx = (params: readonly SqlValue[]): EvalContext => ({
  params,
  now: SqlDateTime.ZERO,
  session: {
    currentDatabase: () => null,
    connectionId: () => 0,
    lastInsertId: () => 0,
    version: () => '',
    user: () => '',
    systemVariable: () => null,
    userVariable: () => null,
  },
});

function columnOf(table: TableSchema) {
  return (e: Expr): number | undefined => {
    if (e.kind !== 'column' || (e.table !== undefined && e.table !== table.name)) return undefined;
    const i = table.findColumn(e.name);
    return i < 0 ? undefined : i;
  };
}

function whereOf(sql: string): { where: Expr | undefined; paramCount: number } {
  const parsed = parseStatementUncached(`SELECT * FROM t WHERE ${sql}`);
  return { where: (parsed.statement as Extract<typeof parsed.statement, { kind: 'select' }>).where, paramCount: parsed.paramCount };
}

function sbtestTable(): TableSchema {
  const catalog = new Catalog();
  catalog.createDatabase('sbtest');
  catalog.createTable(sbtest(), 'sbtest');
  return catalog.createIndex('sbtest', 'sbtest1', { name: 'k_1', columns: ['k'], unique: false }).table;
}

describe('access paths for sysbench WHERE shapes', () => {
  const table = sbtestTable();
  const plan = (sql: string) => planAccess(table, whereOf(sql).where, columnOf(table));

  it('id = ? is a primary-key point with an exact key; residual empty', () => {
    const p = plan('id = ?');
    expect(p.describe()).toBe('primaryPoint PRIMARY(id) eq=id');
    expect(p.residual).toBeUndefined();
    const r = p.resolve([42]);
    expect(r.exact).toBe(true);
    expect(r.ranges).toEqual([{ gte: table.primaryCodec.encode([42]), lt: table.primaryCodec.encode([43]), exactKey: table.primaryCodec.encode([42]) }]);
  });

  it('id BETWEEN ? AND ? is a primary range; inverted bounds are empty', () => {
    const p = plan('id BETWEEN ? AND ?');
    expect(p.kind).toBe('primaryRange');
    expect(p.resolve([10, 20]).ranges).toEqual([{ gte: table.primaryCodec.encode([10]), lt: table.primaryCodec.encode([21]) }]);
    expect(p.resolve([20, 10]).ranges).toEqual([]);
    expect(p.resolve([null, 10]).ranges).toEqual([]);
  });

  it('IN lists become sorted, de-duplicated points; OR of equalities too', () => {
    const p = plan('id IN (5, 1, 5, 3)');
    expect(p.kind).toBe('primaryPoint');
    expect(p.resolve([]).ranges.map((r) => r.exactKey)).toEqual([1, 3, 5].map((v) => table.primaryCodec.encode([v])));
    expect(plan('id = 1 OR id = 2').kind).toBe('primaryPoint');
    expect(plan('id = 1 OR k = 2').kind).toBe('fullScan');
  });

  it('secondary index for k; residual keeps what the index does not enforce', () => {
    const p = plan("k = 5 AND c = 'x'");
    expect(p.describe()).toBe('indexRange k_1(k) eq=k');
    expect(p.residual).toMatchObject({ kind: 'binary', op: '=', left: { name: 'c' } });
    const r = p.resolve([]);
    const prefix = table.secondaryCodecs[0]!.encode([5]);
    expect(r.ranges[0]!.gte).toEqual(prefix);
    expect(plan('k > 5 AND k <= 9').describe()).toBe('indexRange k_1(k) range=k');
  });

  it('prefers the primary point over a secondary range and both over a full scan', () => {
    expect(plan('id = 3 AND k = 5').describe()).toBe('primaryPoint PRIMARY(id) eq=id');
    expect(plan("c = 'x'").kind).toBe('fullScan');
    expect(planAccess(table, undefined, columnOf(table)).kind).toBe('fullScan');
    expect(plan('id + 0 = 3').kind).toBe('fullScan');
  });

  it('constants of other types: out of range and fractions match nothing or shift bounds; strings are inexact', () => {
    expect(plan('id = 1.5').resolve([]).ranges).toEqual([]);
    expect(plan('id = 3000000000').resolve([]).ranges).toEqual([]);
    expect(plan('id < 3000000000').resolve([]).ranges).toHaveLength(1);
    expect(plan('id > 3000000000').resolve([]).ranges).toEqual([]);
    expect(plan('id > 1.5 AND id < 3.5').resolve([]).ranges).toEqual([{ gte: table.primaryCodec.encode([2]), lt: table.primaryCodec.encode([4]) }]);
    const s = plan("id = '7'").resolve([]);
    expect(s.exact).toBe(false);
    expect(s.ranges[0]!.exactKey).toEqual(table.primaryCodec.encode([7]));
    expect(plan('id > ? AND id > ?').resolve([5, 8]).ranges[0]!.gte).toEqual(table.primaryCodec.encode([9]));
  });
});

describe('access paths agree with a full scan and filter (property)', () => {
  // Three shapes: single-column pk with secondary, unique and composite indexes; a composite pk;
  // and a hidden pk. Row values come from small pools so that ranges hit and miss.
  const catalog = new Catalog();
  catalog.createDatabase('d');
  const DOUBLE: ColumnType = { kind: 'double', declaredAs: 'DOUBLE' };
  const VARCHAR: ColumnType = { kind: 'varchar', length: 4 };
  const TINY: ColumnType = { kind: 'int', bytes: 1, unsigned: false };
  const UBIG: ColumnType = { kind: 'int', bytes: 8, unsigned: true };
  const t1 = catalog.createTable(
    createTable('t1', [column('id', INT, { nullable: false }), column('k', INT), column('c', VARCHAR), column('d', DOUBLE), column('e', UBIG, { nullable: false })], ['id'], [
      { name: 'k_1', columns: ['k'], unique: false },
      { name: 'uc', columns: ['c'], unique: true },
      { name: 'kd', columns: ['k', 'd'], unique: false },
      { name: 'e', columns: ['e'], unique: false },
    ]),
    'd',
  )!;
  const t2 = catalog.createTable(createTable('t2', [column('a', TINY, { nullable: false }), column('b', VARCHAR, { nullable: false }), column('k', INT)], ['a', 'b'], [{ name: 'b', columns: ['b'], unique: false }]), 'd')!;
  const t3 = catalog.createTable(createTable('t3', [column('k', INT), column('c', VARCHAR)], undefined, [{ name: 'k', columns: ['k'], unique: false }]), 'd')!;

  const intArb = fc.oneof(fc.integer({ min: -3, max: 6 }), fc.constantFrom(-128, 127));
  const strArb = fc.constantFrom('', 'a', 'ab', 'b', 'B', 'ba');
  const dblArb = fc.constantFrom(-2, 0, 1.5, 2, 3.25);
  const rowArb = (t: TableSchema): fc.Arbitrary<SqlValue[]> => {
    if (t === t1) return fc.tuple(fc.integer({ min: -5, max: 20 }), fc.option(intArb, { nil: null }), fc.option(strArb, { nil: null }), fc.option(dblArb, { nil: null }), fc.bigInt({ min: 0n, max: 6n }));
    if (t === t2) return fc.tuple(fc.integer({ min: -3, max: 6 }), strArb, fc.option(intArb, { nil: null }));
    return fc.tuple(fc.option(intArb, { nil: null }), fc.option(strArb, { nil: null }));
  };
  const uniqueRows = (t: TableSchema, rows: SqlValue[][]): SqlValue[][] => {
    const seen = new Set<string>();
    return rows.filter((row) => {
      const keys = t === t1 ? [`pk${String(row[0])}`, ...(row[2] === null ? [] : [`c${String(row[2])}`])] : t === t2 ? [`pk${String(row[0])}|${String(row[1])}`] : [];
      if (keys.some((k) => seen.has(k))) return false;
      keys.forEach((k) => seen.add(k));
      return true;
    });
  };

  const constantArb: fc.Arbitrary<SqlValue> = fc.constantFrom<SqlValue>(-129, -128, -1, 0, 1, 2, 3, 5, 6, 127, 128, 2147483648, 1.5, -0.5, 3.25, '2', '3abc', 'x', '', 'a', 'ab', 'B', 'b', null, 7n, 18446744073709551615n);

  function whereArb(t: TableSchema): fc.Arbitrary<{ where: Expr; params: SqlValue[] }> {
    const names = t.columns.map((c) => c.name);
    const params: SqlValue[] = [];
    const source = fc.tuple(constantArb, fc.boolean()).map(([v, asParam]): Expr => {
      if (!asParam) return { kind: 'literal', value: v };
      params.push(v);
      return { kind: 'param', index: params.length - 1 };
    });
    const col = fc.constantFrom(...names).map((name): Expr => ({ kind: 'column', table: undefined, name }));
    const atom: fc.Arbitrary<Expr> = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(col, fc.constantFrom<'=' | '<' | '<=' | '>' | '>=' | '<>'>('=', '<', '<=', '>', '>=', '<>'), source, fc.boolean()).map(([c, op, v, flip]): Expr => ({ kind: 'binary', op, left: flip ? v : c, right: flip ? c : v })) },
      { weight: 2, arbitrary: fc.tuple(col, source, source, fc.boolean()).map(([c, low, high, negated]): Expr => ({ kind: 'between', operand: c, low, high, negated })) },
      { weight: 2, arbitrary: fc.tuple(col, fc.array(source, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([c, list, negated]): Expr => ({ kind: 'in', operand: c, list, negated })) },
      { weight: 1, arbitrary: fc.tuple(col, fc.boolean()).map(([c, negated]): Expr => ({ kind: 'isNull', operand: c, negated })) },
    );
    const tree: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        { weight: 5, arbitrary: atom },
        { weight: 3, arbitrary: fc.tuple(tie('e'), tie('e')).map(([l, r]): Expr => ({ kind: 'binary', op: 'AND', left: l, right: r })) },
        { weight: 1, arbitrary: fc.tuple(tie('e'), tie('e')).map(([l, r]): Expr => ({ kind: 'binary', op: 'OR', left: l, right: r })) },
        { weight: 1, arbitrary: tie('e').map((e): Expr => ({ kind: 'unary', op: 'NOT', operand: e })) },
      ),
    })).e;
    // Parameters are numbered as the arbitraries draw them; snapshot the list per draw.
    return tree.map((where) => ({ where, params: [...params.splice(0)] }));
  }

  for (const [name, table] of [
    ['t1 (pk id, indexes k, unique c, (k, d), e)', t1],
    ['t2 (composite pk (a, b), index b)', t2],
    ['t3 (hidden pk, index k)', t3],
  ] as const) {
    it(`${name}: ranges + filter select exactly the rows a full scan + WHERE selects`, () => {
      const kinds = new Map<string, number>();
      fc.assert(
        fc.property(fc.array(rowArb(table), { maxLength: 25 }), whereArb(table), (rawRows, { where, params }) => {
          const rows = uniqueRows(table, rawRows);
          const store = new EncodedTable(table, rows);
          const resolver = tableColumnResolver(table, undefined, 'where clause');
          const full = compileCondition(where, resolver);
          const expected = rows.filter((r) => full(r, ctx(params)));
          const plan = planAccess(table, where, columnOf(table));
          const resolved = plan.resolve(params);
          kinds.set(plan.kind, (kinds.get(plan.kind) ?? 0) + 1);
          const filterExpr = resolved.exact ? plan.residual : plan.where;
          const filter = filterExpr === undefined ? () => true : compileCondition(filterExpr, resolver);
          const got = store.read(plan.index.id, resolved.ranges).filter((r) => filter(r, ctx(params)));
          const key = (r: SqlValue[]) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
          expect(got.map(key).sort(), plan.describe()).toEqual(expected.map(key).sort());
        }),
        { numRuns: RUNS },
      );
      // The property only means something if the planner actually used indexes.
      const indexed = [...kinds].filter(([k]) => k !== 'fullScan').reduce((n, [, c]) => n + c, 0);
      expect(indexed, JSON.stringify([...kinds])).toBeGreaterThan(RUNS / 5);
    });
  }
});
