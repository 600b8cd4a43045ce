import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binlogColumns, Catalog, fromBinlogRow, SqlDateTime, StoredBytesCorruptError, toBinlogRow } from '../src/index.js';
import { nullableValueArb } from './support/arbitraries.js';
import { column, createTable, INT, sbtest } from './support/ddl.js';

const catalog = new Catalog();
catalog.createDatabase('d');
const all = catalog.createTable(
  createTable(
    'all_types',
    [
      column('a', { kind: 'int', bytes: 1, unsigned: true }, { nullable: false }),
      column('b', { kind: 'int', bytes: 3, unsigned: false }),
      column('c', { kind: 'int', bytes: 8, unsigned: true }),
      column('d', { kind: 'double', declaredAs: 'FLOAT' }),
      column('e', { kind: 'varchar', length: 10 }),
      column('f', { kind: 'char', length: 5 }),
      column('g', { kind: 'varbinary', length: 7 }),
      column('h', { kind: 'binary', length: 3 }),
      column('i', { kind: 'text', size: 'medium' }),
      column('j', { kind: 'blob', size: 'tiny' }),
      column('k', { kind: 'datetime', fsp: 3 }),
    ],
    ['a'],
  ),
  'd',
)!;

describe('binlog column mapping', () => {
  it('maps every type as MariaDB logs utf8mb4 tables', () => {
    expect(binlogColumns(all)).toEqual([
      { type: 'tinyint', unsigned: true, nullable: false },
      { type: 'mediumint', unsigned: false, nullable: true },
      { type: 'bigint', unsigned: true, nullable: true },
      { type: 'double', nullable: true },
      { type: 'varchar', maxBytes: 40, nullable: true },
      { type: 'char', maxBytes: 20, nullable: true },
      { type: 'varchar', maxBytes: 7, nullable: true },
      { type: 'char', maxBytes: 3, nullable: true },
      { type: 'blob', lengthBytes: 3, nullable: true },
      { type: 'blob', lengthBytes: 1, nullable: true },
      { type: 'datetime', fsp: 3, nullable: true },
    ]);
    const c = new Catalog();
    c.createDatabase('sbtest');
    expect(binlogColumns(c.createTable(sbtest(), 'sbtest')!)).toEqual([
      { type: 'int', unsigned: false, nullable: false },
      { type: 'int', unsigned: false, nullable: false },
      { type: 'char', maxBytes: 480, nullable: false },
      { type: 'char', maxBytes: 240, nullable: false },
    ]);
  });

  it('rows survive the trip through binlog value shapes (strings decoded from bytes, DATETIME from fields) (property)', () => {
    fc.assert(
      fc.property(fc.tuple(...all.columns.map((c) => nullableValueArb(c.type, c.nullable))), (row) => {
        const image = toBinlogRow(row);
        // what a decoder hands back: text as UTF-8 bytes, DATETIME as plain fields
        const decoded = image.map((v) =>
          typeof v === 'string'
            ? new TextEncoder().encode(v)
            : v instanceof SqlDateTime
              ? { year: v.year, month: v.month, day: v.day, hour: v.hour, minute: v.minute, second: v.second, microsecond: v.microsecond }
              : v,
        );
        const back = fromBinlogRow(all, decoded);
        expect(back.map((v) => (v instanceof SqlDateTime ? v.toString() : v))).toEqual(row.map((v) => (v instanceof SqlDateTime ? v.toString() : v)));
      }),
      { numRuns: 300 },
    );
  });

  it('wrong shapes are typed errors naming the column', () => {
    const t = catalog.createTable(createTable('small', [column('a', INT, { nullable: false }), column('s', { kind: 'varchar', length: 3 })], ['a']), 'd')!;
    expect(() => fromBinlogRow(t, [1])).toThrow(StoredBytesCorruptError);
    expect(() => fromBinlogRow(t, [1, new Uint8Array([0xff])])).toThrow(/column s: not valid UTF-8/);
    expect(() => fromBinlogRow(t, ['x', 'y'])).toThrow(/column a: not an integer/);
    expect(fromBinlogRow(t, [5, null])).toEqual([5, null]);
  });
});
