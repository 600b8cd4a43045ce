import type { ColumnDef, ColumnValue, TableMapBody } from '../src/index.js';

/** A table with every supported column type; `expectedText` is how mariadb-binlog -v prints each value. */
export const TYPED_COLUMNS: readonly ColumnDef[] = [
  { type: 'int', unsigned: false, nullable: false },
  { type: 'tinyint', unsigned: false, nullable: true },
  { type: 'tinyint', unsigned: true, nullable: true },
  { type: 'smallint', unsigned: false, nullable: true },
  { type: 'smallint', unsigned: true, nullable: true },
  { type: 'mediumint', unsigned: false, nullable: true },
  { type: 'mediumint', unsigned: true, nullable: true },
  { type: 'int', unsigned: false, nullable: true },
  { type: 'int', unsigned: true, nullable: true },
  { type: 'bigint', unsigned: false, nullable: true },
  { type: 'bigint', unsigned: true, nullable: true },
  { type: 'char', maxBytes: 40, nullable: true },
  { type: 'varchar', maxBytes: 1200, nullable: true },
  { type: 'blob', lengthBytes: 2, nullable: true },
  { type: 'double', nullable: true },
  { type: 'datetime', fsp: 0, nullable: true },
  { type: 'datetime', fsp: 6, nullable: true },
];

export function typedMap(tableId: number): TableMapBody {
  return { kind: 'tableMap', tableId, tableFlags: 1, database: 'lockstep', table: 'typed', columns: TYPED_COLUMNS };
}

const dt = (year: number, month: number, day: number, hour: number, minute: number, second: number, microsecond = 0) => ({ year, month, day, hour, minute, second, microsecond });
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export const TYPED_ROWS: readonly (readonly ColumnValue[])[] = [
  [1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808n, 18446744073709551615n, utf8('abc'), utf8('v'.repeat(300)), utf8('text é'), -1.5, dt(2024, 2, 29, 23, 59, 58), dt(1999, 12, 31, 1, 2, 3, 456789)],
  [2, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807n, 0n, utf8(''), utf8(''), utf8(''), 1e300, dt(1000, 1, 1, 0, 0, 0), dt(9999, 12, 31, 23, 59, 59, 1)],
  [3, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
  [4, -1, 1, -2, 2, -3, 3, -4, 4, -5n, 5n, utf8("it's"), utf8('a\\b'), new Uint8Array([0, 1, 2]), 0.1, dt(2026, 11, 25, 12, 0, 0), dt(2026, 11, 25, 12, 0, 0, 500000)],
];
