import { describe, expect, it } from 'vitest';
import {
  buildInsertRow,
  Catalog,
  catalogFromRecords,
  catalogToRecords,
  ColumnCountError,
  ColumnSpecifiedTwiceError,
  DatabaseExistsError,
  DuplicateColumnError,
  DuplicateKeyNameError,
  FIRST_USER_INDEX_ID,
  InvalidTableDefinitionError,
  MultiplePrimaryKeyError,
  NoDatabaseSelectedError,
  NoDefaultValueError,
  NoSuchTableError,
  OutOfRangeError,
  resolveInsertColumns,
  showCreateTable,
  SqlDateTime,
  StoredBytesCorruptError,
  TableExistsError,
  UnknownColumnError,
  UnknownDatabaseError,
  USE_DEFAULT,
  type LockstepErrorLike,
} from './support/exports.js';
import { column, createTable, INT, sbtest } from './support/ddl.js';

const now = () => SqlDateTime.parse('2026-01-02 03:04:05')!;

function errnoOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    return (error as LockstepErrorLike).errno;
  }
  return undefined;
}

function sbCatalog(): Catalog {
  const catalog = new Catalog();
  catalog.createDatabase('sbtest');
  catalog.createTable(sbtest(), 'sbtest');
  return catalog;
}

describe('catalog: databases and tables', () => {
  it('creates sysbench table with allocated index ids and prints SHOW CREATE TABLE like MariaDB', () => {
    const catalog = sbCatalog();
    const t = catalog.getTable('sbtest', 'sbtest1');
    expect(t.def.primaryKey.id).toBe(FIRST_USER_INDEX_ID);
    expect(t.def.hiddenPrimaryKey).toBe(false);
    expect(t.columns.map((c) => c.nullable)).toEqual([false, false, false, false]);
    expect(t.columns[1]!.default).toEqual({ kind: 'value', value: 0 });
    const { table, index } = catalog.createIndex('sbtest', 'sbtest1', { name: 'k_1', columns: ['k'], unique: false });
    expect(index.id).toBe(FIRST_USER_INDEX_ID + 1);
    expect(table.secondaryCodecs[0]!.parts.length).toBe(2); // k + id
    expect(showCreateTable(table)).toBe(
      [
        'CREATE TABLE `sbtest1` (',
        '  `id` int(11) NOT NULL AUTO_INCREMENT,',
        '  `k` int(11) NOT NULL DEFAULT 0,',
        "  `c` char(120) NOT NULL DEFAULT '',",
        "  `pad` char(60) NOT NULL DEFAULT '',",
        '  PRIMARY KEY (`id`),',
        '  KEY `k_1` (`k`)',
        ') ENGINE=Lockstep DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
      ].join('\n'),
    );
  });

  it('a table without a primary key gets a hidden 8-byte row id key (MyRocks)', () => {
    const catalog = new Catalog();
    catalog.createDatabase('d');
    const t = catalog.createTable(createTable('t', [column('a', INT), column('b', { kind: 'varchar', length: 10 }, { defaultValue: 'x' })], undefined, [{ name: undefined, columns: ['a'], unique: false }]), 'd')!;
    expect(t.def.hiddenPrimaryKey).toBe(true);
    expect(t.primaryCodec.parts).toEqual([{ type: { kind: 'int', bytes: 8, unsigned: true }, nullable: false }]);
    expect(t.secondaryCodecs[0]!.parts.length).toBe(2);
    expect(t.def.secondaryIndexes[0]!.name).toBe('a');
    expect(showCreateTable(t)).toBe(['CREATE TABLE `t` (', '  `a` int(11) DEFAULT NULL,', "  `b` varchar(10) DEFAULT 'x',", '  KEY `a` (`a`)', ') ENGINE=Lockstep DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin'].join('\n'));
  });

  it('refuses what MySQL refuses, with its errno', () => {
    const c = sbCatalog();
    expect(errnoOf(() => c.createDatabase('sbtest'))).toBe(1007);
    expect(c.createDatabase('sbtest', true)).toBe(false);
    expect(() => c.createTable(sbtest(), 'sbtest')).toThrow(TableExistsError);
    expect(c.createTable({ ...sbtest(), ifNotExists: true }, 'sbtest')).toBeUndefined();
    expect(() => c.createTable(sbtest('x'), undefined)).toThrow(NoDatabaseSelectedError);
    expect(() => c.createTable(sbtest('x'), 'nodb')).toThrow(UnknownDatabaseError);
    expect(() => c.getTable('sbtest', 'nope')).toThrow("Table 'sbtest.nope' doesn't exist");
    expect(errnoOf(() => c.getTable('sbtest', 'nope'))).toBe(1146);
    const bad = (cols: Parameters<typeof createTable>[1], pk?: string[], ix: Parameters<typeof createTable>[3] = []) => errnoOf(() => c.createTable(createTable('bad', cols, pk, ix), 'sbtest'));
    expect(bad([column('a', INT), column('A', INT)])).toBe(1060);
    expect(bad([column('a', INT, { primaryKey: true })], ['a'])).toBe(1068);
    expect(bad([column('a', INT, { nullable: true })], ['a'])).toBe(1171);
    expect(bad([column('a', INT)], ['b'])).toBe(1072);
    expect(bad([column('a', { kind: 'text', size: 'normal' })], ['a'])).toBe(1170);
    expect(bad([column('a', INT, { autoIncrement: true })])).toBe(1075);
    expect(bad([column('a', INT, { autoIncrement: true }), column('b', INT, { autoIncrement: true })], ['a'])).toBe(1075);
    expect(bad([column('a', { kind: 'double', declaredAs: 'DOUBLE' }, { autoIncrement: true })], ['a'])).toBe(1063);
    expect(bad([column('a', INT, { nullable: false, defaultValue: null })])).toBe(1067);
    expect(bad([column('a', INT, { defaultValue: 'abc' })])).toBe(1067);
    expect(bad([column('a', INT, { defaultValue: 300 }), column('b', INT)], undefined, [{ name: 'i', columns: ['a'], unique: false }, { name: 'I', columns: ['b'], unique: false }])).toBe(1061);
    expect(bad([column('a', { kind: 'char', length: 256 })])).toBe(1074);
    expect(bad([column('a', INT)], undefined, [{ name: 'i', columns: Array.from({ length: 17 }, () => 'a'), unique: false }])).toBe(1070);
    expect(bad([column('x'.repeat(65), INT)])).toBe(1059);
    expect(bad([])).toBe(1113);
    expect(() => c.createTable(createTable('bad', [column('a', INT), column('a', INT)]), 'sbtest')).toThrow(DuplicateColumnError);
    expect(() => c.createTable(createTable('bad', [column('a', INT, { primaryKey: true }), column('b', INT, { primaryKey: true })]), 'sbtest')).toThrow(MultiplePrimaryKeyError);
    expect(() => c.createIndex('sbtest', 'sbtest1', { name: 'PRIMARY', columns: ['k'], unique: false })).toThrow(DuplicateKeyNameError);
    expect(() => c.createIndex('sbtest', 'sbtest1', { name: 'z', columns: ['nope'], unique: false })).toThrow(InvalidTableDefinitionError);
    expect(c.tableNames('sbtest')).toEqual(['sbtest1']); // nothing half-created
  });

  it('index ids are never reused after a drop; unnamed indexes are named after their column', () => {
    const c = sbCatalog();
    const first = c.getTable('sbtest', 'sbtest1').def.primaryKey.id;
    expect(c.dropTable('sbtest', 'sbtest1')).toBeDefined();
    expect(c.dropTable('sbtest', 'sbtest1')).toBeUndefined();
    const again = c.createTable(sbtest(), 'sbtest')!;
    expect(again.def.primaryKey.id).toBeGreaterThan(first);
    const a = c.createIndex('sbtest', 'sbtest1', { name: undefined, columns: ['k'], unique: false }).index;
    const b = c.createIndex('sbtest', 'sbtest1', { name: undefined, columns: ['k'], unique: true }).index;
    expect([a.name, b.name]).toEqual(['k', 'k_2']);
    expect(c.dropDatabase('sbtest')!.map((t) => t.name)).toEqual(['sbtest1']);
    expect(c.dropDatabase('sbtest', true)).toBeUndefined();
    expect(errnoOf(() => c.dropDatabase('sbtest'))).toBe(1008);
  });
});

describe('catalog records (persistence format)', () => {
  function richCatalog(): Catalog {
    const c = sbCatalog();
    c.createIndex('sbtest', 'sbtest1', { name: 'k_1', columns: ['k'], unique: false });
    c.createDatabase('other');
    c.createTable(
      createTable(
        'all_types',
        [
          column('a', { kind: 'int', bytes: 8, unsigned: true }, { defaultValue: 18446744073709551615n, comment: "it's" }),
          column('b', { kind: 'int', bytes: 1, unsigned: false, displayWidth: 1 }, { defaultValue: -1 }),
          column('c', { kind: 'varchar', length: 20 }, { unique: true }),
          column('d', { kind: 'text', size: 'medium' }),
          column('e', { kind: 'varbinary', length: 4 }, { defaultValue: new Uint8Array([0, 1]) }),
          column('f', { kind: 'blob', size: 'long' }),
          column('g', { kind: 'double', declaredAs: 'FLOAT' }, { defaultValue: 1.5 }),
          column('h', { kind: 'datetime', fsp: 3 }, { defaultValue: '2020-01-01 00:00:00.5' }),
          column('i', { kind: 'datetime', fsp: 0 }, { default: { kind: 'currentTimestamp' } }),
          column('j', { kind: 'binary', length: 2 }, { nullable: false }),
        ],
        undefined,
        [{ name: 'ab', columns: ['a', 'b'], unique: true }],
      ),
      'other',
    );
    c.getTable('sbtest', 'sbtest1').counters.autoIncrement = 10_001n;
    return c;
  }

  it('round-trips every table, index id, counter and default', () => {
    const c = richCatalog();
    const records = catalogToRecords(c);
    const back = catalogFromRecords([...records].reverse());
    expect(back.databaseNames()).toEqual(['other', 'sbtest']);
    for (const t of c.allTables()) {
      const u = back.getTable(t.database, t.name);
      expect(u.def).toEqual(t.def);
      expect(u.counters).toEqual(t.counters);
      expect(showCreateTable(u)).toBe(showCreateTable(t));
    }
    expect(back.nextIndexId).toBe(c.nextIndexId);
    expect(back.nextTableId).toBe(c.nextTableId);
    expect(showCreateTable(back.getTable('sbtest', 'sbtest1'))).toContain('AUTO_INCREMENT=10001');
    expect(showCreateTable(back.getTable('other', 'all_types'))).toContain("`a` bigint(20) unsigned DEFAULT 18446744073709551615 COMMENT 'it''s'");
    expect(showCreateTable(back.getTable('other', 'all_types'))).toContain('`i` datetime DEFAULT current_timestamp()');
    expect(showCreateTable(back.getTable('other', 'all_types'))).toContain('`e` varbinary(4) DEFAULT 0x0001');
  });

  it('every single-byte corruption or truncation of a record is a typed error', () => {
    const records = catalogToRecords(richCatalog());
    for (let r = 0; r < records.length; r++) {
      const { key, value } = records[r]!;
      for (let i = 0; i < value.length; i++) {
        const bad = value.slice();
        bad[i] = bad[i]! ^ 0x5a;
        const set = records.map((x, j) => (j === r ? { key, value: bad } : x));
        expect(() => catalogFromRecords(set)).toThrow(StoredBytesCorruptError);
        const cut = records.map((x, j) => (j === r ? { key, value: value.subarray(0, i) } : x));
        expect(() => catalogFromRecords(cut)).toThrow(StoredBytesCorruptError);
      }
    }
    // a table whose database record is missing
    const noDb = records.filter((x) => !(x.key[3] === 2 && new TextDecoder().decode(x.key).includes('other')));
    expect(() => catalogFromRecords(noDb)).toThrow(/without its database/);
  });
});

describe('building INSERT rows', () => {
  it('sysbench rows: explicit ids move the counter, NULL/0/absent take the next value', () => {
    const t = sbCatalog().getTable('sbtest', 'sbtest1');
    const all = resolveInsertColumns(t, ['id', 'k', 'c', 'pad']);
    expect(buildInsertRow(t, all, [5, 7, 'c', 'p'], 1, now)).toEqual({ row: [5, 7, 'c', 'p'], generatedId: undefined });
    expect(t.counters.autoIncrement).toBe(6n);
    expect(buildInsertRow(t, all, [null, 7, 'c', 'p'], 1, now).generatedId).toBe(6n);
    expect(buildInsertRow(t, all, [0, 7, 'c', 'p'], 1, now).row[0]).toBe(7);
    const noId = resolveInsertColumns(t, ['k', 'c', 'pad']);
    expect(buildInsertRow(t, noId, [1, 'x', 'y'], 1, now)).toEqual({ row: [8, 1, 'x', 'y'], generatedId: 8n });
    expect(buildInsertRow(t, resolveInsertColumns(t, ['id']), [USE_DEFAULT], 1, now).row).toEqual([9, 0, '', '']);
    t.counters.autoIncrement = 2147483648n;
    expect(() => buildInsertRow(t, noId, [1, 'x', 'y'], 4, now)).toThrow(OutOfRangeError);
  });

  it('defaults, NOT NULL without default (1364), value count (1136), unknown (1054) and repeated (1110) columns', () => {
    const c = new Catalog();
    c.createDatabase('d');
    const t = c.createTable(
      createTable('t', [column('a', INT, { nullable: false }), column('b', { kind: 'datetime', fsp: 0 }, { default: { kind: 'currentTimestamp' } }), column('c', INT)], ['a']),
      'd',
    )!;
    expect(buildInsertRow(t, [0], ['3'], 1, now).row).toEqual([3, now(), null]);
    expect(() => buildInsertRow(t, [2], [1], 1, now)).toThrow(NoDefaultValueError);
    expect(() => buildInsertRow(t, [0, 2], [1], 2, now)).toThrow(ColumnCountError);
    expect(() => resolveInsertColumns(t, ['a', 'zz'])).toThrow(UnknownColumnError);
    expect(() => resolveInsertColumns(t, ['a', 'A'])).toThrow(ColumnSpecifiedTwiceError);
    expect(() => buildInsertRow(t, [0], [null], 1, now)).toThrow("Column 'a' cannot be null");
  });

  it('DatabaseExistsError and NoSuchTableError are the classes thrown', () => {
    const c = sbCatalog();
    expect(() => c.createDatabase('sbtest')).toThrow(DatabaseExistsError);
    expect(() => c.getTable('sbtest', 'x')).toThrow(NoSuchTableError);
  });
});
