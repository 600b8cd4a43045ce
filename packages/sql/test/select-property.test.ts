import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Catalog,
  compareSqlValues,
  compileCondition,
  compileSelect,
  parseStatementUncached,
  SqlDateTime,
  tableColumnResolver,
  type EvalContext,
  type RowSource,
  type SelectStatement,
  type SqlValue,
} from '../src/index.js';
import { column, createTable, INT } from './support/ddl.js';
import { EncodedTable } from './support/table-store.js';

const RUNS = Number(process.env.LOCKSTEP_PROPERTY_RUNS ?? 300);

const catalog = new Catalog();
catalog.createDatabase('d');
const t = catalog.createTable(
  createTable('t', [column('id', INT, { nullable: false }), column('k', INT), column('c', { kind: 'varchar', length: 4 })], ['id'], [
    { name: 'k_1', columns: ['k'], unique: false },
    { name: 'c_1', columns: ['c'], unique: false },
  ]),
  'd',
)!;
const ctx = (params: readonly SqlValue[]): EvalContext => ({
  params,
  now: SqlDateTime.ZERO,
  session: { currentDatabase: () => 'd', connectionId: () => 0, lastInsertId: () => 0, version: () => '', user: () => '', systemVariable: () => null, userVariable: () => null },
});

const rowArb = fc.tuple(fc.integer({ min: 0, max: 30 }), fc.option(fc.integer({ min: -2, max: 4 }), { nil: null }), fc.option(fc.constantFrom('a', 'b', 'ab', ''), { nil: null }));
const conditionArb = fc.oneof(
  fc.constant('1 = 1'),
  fc.tuple(fc.constantFrom('id', 'k', 'c'), fc.constantFrom('=', '<', '>=', '<>'), fc.constantFrom('0', '2', '10', "'a'", "'2'", 'NULL', '?')).map(([col, op, v]) => `${col} ${op} ${v}`),
  fc.tuple(fc.constantFrom('id', 'k'), fc.integer({ min: -1, max: 12 }), fc.integer({ min: 0, max: 25 })).map(([col, a, b]) => `${col} BETWEEN ${a} AND ${b}`),
  fc.constantFrom('k IN (1, 2, NULL)', "c IN ('a', 'ab')", 'k IS NULL', 'c IS NOT NULL', 'id IN (?, 3, 5)'),
);
const whereArb = fc.array(conditionArb, { minLength: 1, maxLength: 3 }).chain((conds) => fc.constantFrom(' AND ', ' OR ').map((glue) => conds.join(glue)));

describe('compileSelect agrees with a brute-force evaluation (property)', () => {
  it('WHERE + ORDER BY (with id as tie-break) + LIMIT/OFFSET over random rows', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(rowArb, { selector: (r) => r[0], maxLength: 25 }),
        whereArb,
        fc.constantFrom('k', 'c', 'id', 'k DESC', 'c DESC'),
        fc.option(fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 4 })), { nil: undefined }),
        fc.integer({ min: -1, max: 6 }),
        (rows, where, order, limit, param) => {
          const sql = `SELECT id, k, c FROM t WHERE ${where} ORDER BY ${order}, id${limit === undefined ? '' : ` LIMIT ${limit[0]} OFFSET ${limit[1]}`}`;
          const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => param);
          const parsed = compileSelect(parseSelect(sql), catalog, 'd');
          const store = new EncodedTable(t, rows);
          const source: RowSource = (plan, resolved) => store.read(plan.index.id, resolved.ranges);
          const got = parsed.execute(source, ctx(params));
          // brute force
          const stmt = parseSelect(sql);
          const filter = compileCondition(stmt.where!, tableColumnResolver(t, undefined, 'where clause'));
          const [orderCol, dir] = order.split(' ') as [string, string | undefined];
          const oc = t.findColumn(orderCol);
          const cmp = (a: SqlValue, b: SqlValue) => (a === null || b === null ? (a === null ? (b === null ? 0 : -1) : 1) : compareSqlValues(a, b)!);
          let expected = rows.filter((r) => filter(r, ctx(params))).sort((a, b) => (dir === 'DESC' ? -cmp(a[oc]!, b[oc]!) : cmp(a[oc]!, b[oc]!)) || a[0] - b[0]);
          if (limit !== undefined) expected = expected.slice(limit[1], limit[1] + limit[0]);
          expect(got, sql).toEqual(expected);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

function parseSelect(sql: string): SelectStatement {
  return parseStatementUncached(sql).statement as SelectStatement;
}
