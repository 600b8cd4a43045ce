import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  collectAggregates,
  compileCondition,
  compileExpr,
  createAggregator,
  NotSupportedError,
  parseExpression,
  SqlDateTime,
  UnknownColumnError,
  ValueOutOfRangeError,
  type ColumnResolver,
  type EvalContext,
  type SqlValue,
} from '../src/index.js';

const COLUMNS = ['a', 'b', 'c', 'd', 's', 'n'];
const resolver: ColumnResolver = {
  column(_table, name) {
    const i = COLUMNS.indexOf(name.toLowerCase());
    if (i < 0) throw new UnknownColumnError(name, 'where clause');
    return i;
  },
};
const NOW = SqlDateTime.parse('2026-11-25 10:00:00.123456')!;
const ctx = (params: SqlValue[] = []): EvalContext => ({
  params,
  now: NOW,
  session: {
    currentDatabase: () => 'sbtest',
    connectionId: () => 7,
    lastInsertId: () => 42,
    version: () => '10.11.0-Lockstep',
    user: () => 'root@localhost',
    systemVariable: (name, scope) => `${scope ?? 'default'}:${name}`,
    userVariable: (name) => (name === 'x' ? 5 : null),
  },
});

/** Evaluates an SQL expression against the row (a, b, c, d, s, n) = (1, 2, NULL, 2.5, 'abc', NULL). */
function ev(sql: string, row: SqlValue[] = [1, 2, null, 2.5, 'abc', null], params: SqlValue[] = []): SqlValue {
  return compileExpr(parseExpression(sql), resolver)(row, ctx(params));
}

describe('three-valued logic', () => {
  it('AND, OR, XOR and NOT over 1, 0 and NULL', () => {
    const vals = ['1', '0', 'NULL'] as const;
    const t = (v: string) => (v === 'NULL' ? null : v === '1');
    for (const x of vals)
      for (const y of vals) {
        const a = t(x);
        const b = t(y);
        const and = a === false || b === false ? 0 : a === null || b === null ? null : 1;
        const or = a === true || b === true ? 1 : a === null || b === null ? null : 0;
        const xor = a === null || b === null ? null : a !== b ? 1 : 0;
        expect(ev(`${x} AND ${y}`), `${x} AND ${y}`).toBe(and);
        expect(ev(`${x} OR ${y}`), `${x} OR ${y}`).toBe(or);
        expect(ev(`${x} XOR ${y}`), `${x} XOR ${y}`).toBe(xor);
      }
    expect(ev('NOT 1')).toBe(0);
    expect(ev('NOT 0')).toBe(1);
    expect(ev('NOT NULL')).toBeNull();
    expect(ev("NOT 'abc'")).toBe(1); // 'abc' reads as 0
  });

  it('comparisons with NULL are NULL; IS NULL and <=> are not', () => {
    expect(ev('c = 1')).toBeNull();
    expect(ev('c <> 1')).toBeNull();
    expect(ev('c IS NULL')).toBe(1);
    expect(ev('a IS NOT NULL')).toBe(1);
    expect(ev('c = 1 OR a = 1')).toBe(1);
    expect(ev('c = 1 AND a = 2')).toBe(0);
  });
});

describe('comparisons across types (MySQL conversions, binary collation)', () => {
  it.each([
    ["1 = '1'", 1],
    ["'10' > 9", 1],
    ["'10' > '9'", 0],
    ["'abc' = 0", 1],
    ["'1abc' = 1", 1],
    ['2 = 2.0', 1],
    ['9223372036854775807 > 9223372036854775806', 1],
    ['18446744073709551615 > 9223372036854775807', 1],
    ['-1 < 18446744073709551615', 1],
    ["'a' = 'A'", 0],
    ["'a' < 'b'", 1],
    ['d > 2', 1],
    ['a < b', 1],
    ['s = "abc"', 1],
  ] as const)('%s → %s', (sql, expected) => {
    expect(ev(sql)).toBe(expected);
  });
});

describe('arithmetic', () => {
  it.each([
    ['1 + 2', 3],
    ['5 / 2', 2.5],
    ['5 DIV 2', 2],
    ['-5 DIV 2', -2],
    ['-5 % 3', -2],
    ['5 MOD 3', 2],
    ['5 % 0', null],
    ['1 / 0', null],
    ['1 DIV 0', null],
    ["'3' + 4", 7],
    ['a + d', 3.5],
    ['c + 1', null],
    ['-a', -1],
    ['- - a', 1],
    ['9007199254740991 + 1', 9007199254740992n],
    ['9223372036854775806 + 1', 9223372036854775807n],
    ['18446744073709551614 + 1', 18446744073709551615n],
    ['-9223372036854775807 - 1', -9223372036854775808n],
    ['9223372036854775807 DIV 2', 4611686018427387903n],
    ['3000000000 * 3000000000', 9000000000000000000n],
  ] as const)('%s → %s', (sql, expected) => {
    expect(ev(sql)).toBe(expected);
  });

  it('BIGINT and DOUBLE overflow are error 1690 naming the expression', () => {
    for (const sql of ['9223372036854775807 + 1', '-9223372036854775808 - 1', '18446744073709551615 + 1', '4294967296 * 4294967296', '1e308 * 10']) {
      expect(() => ev(sql), sql).toThrow(ValueOutOfRangeError);
    }
    expect(() => ev('-a', [-(1n << 63n), 0, null, 0, '', null])).toThrow(ValueOutOfRangeError);
    expect(() => ev('ABS(a)', [-(1n << 63n), 0, null, 0, '', null])).toThrow(ValueOutOfRangeError);
    try {
      ev('9223372036854775807 + a');
    } catch (error) {
      expect((error as ValueOutOfRangeError).errno).toBe(1690);
      expect((error as Error).message).toBe("BIGINT value is out of range in '9223372036854775807 + a'");
    }
  });

  it('integer + - * agree with exact bigint arithmetic or raise 1690 (property)', () => {
    const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
    fc.assert(
      fc.property(int64, int64, fc.constantFrom('+', '-', '*'), (x, y, op) => {
        const exact = op === '+' ? x + y : op === '-' ? x - y : x * y;
        const fits = exact >= -(1n << 63n) && exact <= (1n << 63n) - 1n;
        const row: SqlValue[] = [x, y, null, 0, '', null];
        if (!fits) {
          expect(() => ev(`a ${op} b`, row)).toThrow(ValueOutOfRangeError);
          return;
        }
        expect(BigInt(ev(`a ${op} b`, row) as number | bigint)).toBe(exact);
      }),
      { numRuns: 500 },
    );
  });
});

describe('IN, BETWEEN, LIKE', () => {
  it.each([
    ['a IN (1, 2)', 1],
    ['a IN (3, 4)', 0],
    ['a IN (1, NULL)', 1],
    ['b IN (1, NULL)', null],
    ['b NOT IN (1, NULL)', null],
    ['a NOT IN (2, 3)', 1],
    ['c IN (1)', null],
    ["'1' IN (1, 2)", 1],
    ["s IN ('x', 'abc')", 1],
    ['a IN (b - 1, 9)', 1],
    ['a BETWEEN 1 AND 2', 1],
    ['a BETWEEN 2 AND 3', 0],
    ['a NOT BETWEEN 2 AND 3', 1],
    ['c BETWEEN 1 AND 2', null],
    ['a BETWEEN NULL AND 0', 0],
    ['a BETWEEN 0 AND NULL', null],
    ["s LIKE 'a%'", 1],
    ["s LIKE 'A%'", 0],
    ["s LIKE '_b_'", 1],
    ["s LIKE 'ab'", 0],
    ["s NOT LIKE '%z%'", 1],
    ["'a.c' LIKE 'a.c'", 1],
    ["'abc' LIKE 'a.c'", 0],
    ["'a_c' LIKE 'a\\_c'", 1],
    ["'abc' LIKE 'a\\_c'", 0],
    ["'50%' LIKE '50|%' ESCAPE '|'", 1],
    ["'500' LIKE '50|%' ESCAPE '|'", 0],
    ["'😀' LIKE '_'", 1],
    ["'a\nb' LIKE 'a%b'", 1],
    ["'(x)' LIKE '(x)'", 1],
    ['c LIKE "a"', null],
    ['s LIKE c', null],
    ['123 LIKE "12%"', 1],
  ] as const)('%s → %s', (sql, expected) => {
    expect(ev(sql)).toBe(expected);
  });

  it('LIKE with a pattern from a column compiles each pattern once and still matches', () => {
    const f = compileExpr(parseExpression('s LIKE n'), resolver);
    const results = ['a%', 'b%', 'a%', '%c'].map((p) => f([0, 0, null, 0, 'abc', p], ctx()));
    expect(results).toEqual([1, 0, 1, 1]);
  });
});

describe('functions, variables, parameters', () => {
  it.each([
    ["CONCAT(s, '-', a)", 'abc-1'],
    ["CONCAT(s, c)", null],
    ["LENGTH('é')", 2],
    ["CHAR_LENGTH('é')", 1],
    ['COALESCE(c, n, a)', 1],
    ['IFNULL(c, 9)', 9],
    ['IF(a > 0, "yes", "no")', 'yes'],
    ['IF(c, 1, 2)', 2],
    ['NULLIF(a, 1)', null],
    ['UPPER(s)', 'ABC'],
    ["LOWER('ÀB')", 'àb'],
    ['ABS(-3)', 3],
    ['ABS(-2.5)', 2.5],
    ['VERSION()', '10.11.0-Lockstep'],
    ['DATABASE()', 'sbtest'],
    ['CONNECTION_ID()', 7],
    ['LAST_INSERT_ID()', 42],
    ['@@autocommit', 'default:autocommit'],
    ['@@global.read_only', 'global:read_only'],
    ['@x + 1', 6],
    ['@nope', null],
  ] as const)('%s → %s', (sql, expected) => {
    expect(ev(sql)).toEqual(expected);
  });

  it('NOW() is the statement time at the asked precision', () => {
    expect(String(ev('NOW()'))).toBe('2026-11-25 10:00:00');
    expect(String(ev('NOW(3)'))).toBe('2026-11-25 10:00:00.123');
    expect(String(ev('CURRENT_TIMESTAMP()'))).toBe('2026-11-25 10:00:00');
  });

  it('parameters bind by index', () => {
    const where = compileCondition(parseExpression('a BETWEEN ? AND ? AND s = ?'), resolver);
    expect(where([5, 0, null, 0, 'x', null], ctx([1, 10, 'x']))).toBe(true);
    expect(where([5, 0, null, 0, 'x', null], ctx([6, 10, 'x']))).toBe(false);
    expect(where([5, 0, null, 0, 'x', null], ctx([null, 10, 'x']))).toBe(false); // NULL is not true
  });

  it('compile-time errors: unknown column (1054), unknown function, aggregates without a slot', () => {
    expect(() => compileExpr(parseExpression('zz + 1'), resolver)).toThrow(UnknownColumnError);
    expect(() => compileExpr(parseExpression('zz + 1'), resolver)).toThrow("Unknown column 'zz' in 'where clause'");
    expect(() => compileExpr(parseExpression('SOUNDEX(a)'), resolver)).toThrow(NotSupportedError);
    expect(() => compileExpr(parseExpression('SUM(a)'), resolver)).toThrow(NotSupportedError);
    expect(() => compileExpr(parseExpression('IF(a, 1)'), resolver)).toThrow(NotSupportedError);
  });
});

describe('aggregates', () => {
  it('COUNT, SUM, AVG, MIN, MAX with NULLs, DISTINCT, exact integer sums', () => {
    const run = (fn: 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX', values: SqlValue[], distinct = false) => {
      const agg = createAggregator(fn, distinct);
      for (const v of values) agg.add(v);
      return agg.result();
    };
    expect(run('COUNT', [1, null, 3])).toBe(2);
    expect(run('COUNT', [])).toBe(0);
    expect(run('SUM', [1, null, 3])).toBe(4);
    expect(run('SUM', [9223372036854775807n, 9223372036854775807n])).toBe(18446744073709551614n);
    expect(run('SUM', [1, 2.5])).toBe(3.5);
    expect(run('SUM', [])).toBeNull();
    expect(run('AVG', [1, 2])).toBe(1.5);
    expect(run('MIN', ['b', 'a', null, 'c'])).toBe('a');
    expect(run('MAX', [1, 3n, 2])).toBe(3n);
    expect(run('COUNT', [1, 1, 1n, 2, null], true)).toBe(2);
    expect(run('SUM', [1, 1, 2], true)).toBe(3);
  });

  it('collectAggregates finds the aggregates a select item needs, and a resolver slot makes them readable', () => {
    const e = parseExpression('SUM(k) + COUNT(*) * 2');
    const aggs = collectAggregates(e);
    expect(aggs.map((a) => a.fn)).toEqual(['SUM', 'COUNT']);
    const f = compileExpr(e, { column: () => 0, aggregate: (a) => 10 + aggs.indexOf(a) });
    const row: SqlValue[] = [];
    row[10] = 5;
    row[11] = 3;
    expect(f(row, ctx())).toBe(11);
  });
});
