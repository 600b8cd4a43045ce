import { describe, expect, it } from 'vitest';
import {
  Catalog,
  compileExpr,
  createAggregator,
  InvalidTableDefinitionError,
  LIKE_PATTERN_CACHE_SIZE,
  MAX_ACCESS_POINTS,
  MAX_COLUMNS_PER_TABLE,
  MAX_DISTINCT_AGGREGATE_VALUES,
  MAX_INDEXES_PER_TABLE,
  MAX_RECOGNIZER_TOKENS,
  MAX_ROW_VALUE_BYTES,
  NotSupportedError,
  parseExpression,
  parseStatementUncached,
  planAccess,
  RowCodec,
  rowEntries,
  rowWriteSetKeys,
  SqlDateTime,
  StoredBytesCorruptError,
  type EvalContext,
  type Expr,
  type SqlValue,
} from '../src/index.js';
import { column, createTable, INT, sbtest } from './support/ddl.js';

function errnoOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { errno?: number }).errno;
  }
  return undefined;
}

describe('named bounds are enforced', () => {
  it('MAX_COLUMNS_PER_TABLE and MAX_INDEXES_PER_TABLE (1117, 1069), VARCHAR length (1074)', () => {
    const c = new Catalog();
    c.createDatabase('d');
    const many = Array.from({ length: MAX_COLUMNS_PER_TABLE + 1 }, (_, i) => column(`c${i}`, INT));
    expect(errnoOf(() => c.createTable(createTable('t', many), 'd'))).toBe(1117);
    expect(c.createTable(createTable('ok', many.slice(0, MAX_COLUMNS_PER_TABLE)), 'd')).toBeDefined();
    const indexes = Array.from({ length: MAX_INDEXES_PER_TABLE }, (_, i) => ({ name: `i${i}`, columns: ['a'], unique: false }));
    expect(errnoOf(() => c.createTable(createTable('t2', [column('a', INT)], ['a'], indexes), 'd'))).toBe(1069);
    const t3 = c.createTable(createTable('t3', [column('a', INT)], ['a'], indexes.slice(0, MAX_INDEXES_PER_TABLE - 2)), 'd')!;
    expect(c.createIndex('d', t3.name, { name: 'last', columns: ['a'], unique: false }).table.def.secondaryIndexes).toHaveLength(MAX_INDEXES_PER_TABLE - 1);
    expect(() => c.createIndex('d', t3.name, { name: 'one_more', columns: ['a'], unique: false })).toThrow(InvalidTableDefinitionError);
    expect(errnoOf(() => c.createTable(createTable('t4', [column('a', { kind: 'varchar', length: 16_384 })]), 'd'))).toBe(1074);
  });

  it('MAX_ROW_VALUE_BYTES: a stored length past it is reported as corruption, not allocated', () => {
    const codec = new RowCodec([{ name: 's', type: { kind: 'blob', size: 'long' }, nullable: false }], 1);
    const bytes = new Uint8Array([1, 0x80, 0x80, 0x80, 0x40]); // varint 2^27 > 64 MiB
    expect(MAX_ROW_VALUE_BYTES).toBe(64 * 1024 * 1024);
    expect(() => codec.decode(bytes)).toThrow(StoredBytesCorruptError);
    expect(() => codec.decode(bytes)).toThrow(/exceeds/);
  });

  it('MAX_RECOGNIZER_TOKENS: a longer statement goes to the full parser (a SET that long is then refused with 1235: documented)', () => {
    const items = Array.from({ length: MAX_RECOGNIZER_TOKENS }, (_, i) => `@@v${i}`);
    const parsed = parseStatementUncached(`SELECT ${items.join(', ')}`);
    expect(parsed.statement).toMatchObject({ kind: 'select', items: { length: MAX_RECOGNIZER_TOKENS } });
    expect(parseStatementUncached(`SELECT ${items.slice(0, 10).join(', ')}`).statement).toMatchObject({ items: { length: 10 } });
    const longSet = `SET @a = ${Array.from({ length: MAX_RECOGNIZER_TOKENS }, (_, i) => String(i)).join(' + ')}`;
    expect(errnoOf(() => parseStatementUncached(longSet))).toBe(1235);
  });

  it('MAX_ACCESS_POINTS: IN lists whose product passes the bound use fewer key columns', () => {
    const c = new Catalog();
    c.createDatabase('d');
    const t = c.createTable(createTable('t', [column('a', INT, { nullable: false }), column('b', INT, { nullable: false })], ['a', 'b']), 'd')!;
    const list = (n: number) => Array.from({ length: n }, (_, i) => i).join(',');
    const columnOf = (e: Expr) => (e.kind === 'column' ? t.findColumn(e.name) : undefined);
    const within = planAccess(t, parseExpression(`a IN (${list(64)}) AND b IN (${list(64)})`), columnOf);
    expect(within.kind).toBe('primaryPoint');
    expect(within.resolve([]).ranges).toHaveLength(64 * 64);
    const n = Math.floor(MAX_ACCESS_POINTS / 64) + 1;
    const past = planAccess(t, parseExpression(`a IN (${list(64)}) AND b IN (${list(n)})`), columnOf);
    expect(past.describe()).toBe('primaryRange PRIMARY(a,b) eq=a');
    expect(past.resolve([]).ranges).toHaveLength(64);
  });

  it('LIKE_PATTERN_CACHE_SIZE: many distinct patterns still match correctly', () => {
    const f = compileExpr(parseExpression('a LIKE b'), { column: (_t, name) => (name === 'a' ? 0 : 1) });
    const ctx: EvalContext = { params: [], now: SqlDateTime.ZERO, session: { currentDatabase: () => null, connectionId: () => 0, lastInsertId: () => 0, version: () => '', user: () => '', systemVariable: () => null, userVariable: () => null } };
    for (let i = 0; i < LIKE_PATTERN_CACHE_SIZE * 3; i++) {
      expect(f([`x${i}y`, `x${i}%`], ctx)).toBe(1);
      expect(f([`x${i}y`, `z${i}%`], ctx)).toBe(0);
    }
  });

  it('MAX_DISTINCT_AGGREGATE_VALUES: one more distinct value is refused with 1235', () => {
    const agg = createAggregator('COUNT', true);
    for (let i = 0; i < MAX_DISTINCT_AGGREGATE_VALUES; i++) agg.add(i);
    agg.add(5); // a repeat is fine
    expect(() => { agg.add(-1); }).toThrow(NotSupportedError);
    expect(agg.result()).toBe(MAX_DISTINCT_AGGREGATE_VALUES);
  });
});

describe('row entries and write-set keys', () => {
  it('the kv entries of a sysbench row and the replication write set', () => {
    const c = new Catalog();
    c.createDatabase('sbtest');
    c.createTable(sbtest(), 'sbtest');
    const t = c.createIndex('sbtest', 'sbtest1', { name: 'k_1', columns: ['k'], unique: false }).table;
    const row: SqlValue[] = [7, 3, 'c', 'p'];
    const e = rowEntries(t, row);
    expect(e.primaryKey).toEqual(t.primaryCodec.encode([7]));
    expect(t.rowCodec.decode(e.value)).toEqual(row);
    expect(t.secondaryCodecs[0]!.decode(e.secondaryKeys[0]!)).toEqual([3, 7]);
    expect(rowWriteSetKeys(t, row)).toEqual(['sbtest.sbtest1:80000007']);
  });

  it('unique keys join the write set unless they hold a NULL; hidden keys need the row id', () => {
    const c = new Catalog();
    c.createDatabase('d');
    const t = c.createTable(createTable('u', [column('a', INT), column('b', { kind: 'varchar', length: 4 })], undefined, [{ name: 'ub', columns: ['b'], unique: true }]), 'd')!;
    expect(rowWriteSetKeys(t, [1, 'x'], 5n)).toEqual(['d.u:0000000000000005', 'd.u.ub:01780001']);
    expect(rowWriteSetKeys(t, [1, null], 6n)).toEqual(['d.u:0000000000000006']);
    expect(() => rowEntries(t, [1, 'x'])).toThrow(/hidden primary key/);
  });

  it("sysbench's --secondary variant (KEY (id) instead of PRIMARY KEY) gets a hidden primary key", () => {
    const parsed = parseStatementUncached(
      "CREATE TABLE sbtest1(\n  id INTEGER NOT NULL AUTO_INCREMENT,\n  k INTEGER DEFAULT '0' NOT NULL,\n  c CHAR(120) DEFAULT '' NOT NULL,\n  pad CHAR(60) DEFAULT '' NOT NULL,\n  KEY (id)\n) /*! ENGINE = innodb */ ",
    );
    const c = new Catalog();
    c.createDatabase('sbtest');
    const t = c.createTable(parsed.statement as Parameters<Catalog['createTable']>[0], 'sbtest')!;
    expect(t.def.hiddenPrimaryKey).toBe(true);
    expect(t.def.secondaryIndexes.map((ix) => ix.name)).toEqual(['id']);
    expect(t.autoIncrementColumn).toBe(0);
  });
});
