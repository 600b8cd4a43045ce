import type { SqlValue } from '../types/sql-value.js';
import { SqlDateTime } from '../types/datetime.js';
import { utf8DecodeStrict } from '../types/sql-value.js';
import { StoredBytesCorruptError } from '../errors/stored-bytes-corrupt-error.js';
import type { ColumnDef, TableSchema } from './table-schema.js';

/**
 * Column descriptions and row values in the shape `@lockstep/binlog`'s table-map and
 * rows events use (its `ColumnDef` / `ColumnValue`, mirrored structurally here so this
 * package does not import binlog yet; the executor task wires them together).
 *
 * Types as MariaDB writes them for utf8mb4 columns: CHAR(n)/VARCHAR(n) carry n*4 bytes of
 * maximum length, BINARY/VARBINARY n bytes; TEXT/BLOB by their length-prefix size; DATETIME
 * as DATETIME2 with its fsp. FLOAT columns are stored as doubles here, so they are logged
 * as DOUBLE (a documented difference from MariaDB's FLOAT).
 */
export type BinlogColumn =
  | { readonly type: 'tinyint' | 'smallint' | 'mediumint' | 'int' | 'bigint'; readonly unsigned: boolean; readonly nullable: boolean }
  | { readonly type: 'double'; readonly nullable: boolean }
  | { readonly type: 'varchar'; readonly maxBytes: number; readonly nullable: boolean }
  | { readonly type: 'char'; readonly maxBytes: number; readonly nullable: boolean }
  | { readonly type: 'blob'; readonly lengthBytes: 1 | 2 | 3 | 4; readonly nullable: boolean }
  | { readonly type: 'datetime'; readonly fsp: number; readonly nullable: boolean };

/** A value in a binlog row image: strings may be given as strings when writing; DATETIME as its fields. */
export type BinlogValue =
  | null
  | number
  | bigint
  | Uint8Array
  | string
  | { readonly year: number; readonly month: number; readonly day: number; readonly hour: number; readonly minute: number; readonly second: number; readonly microsecond: number };

const INT_NAMES = { 1: 'tinyint', 2: 'smallint', 3: 'mediumint', 4: 'int', 8: 'bigint' } as const;
const LOB_LENGTH_BYTES = { tiny: 1, normal: 2, medium: 3, long: 4 } as const;
/** utf8mb4: at most 4 bytes per character. */
const BYTES_PER_CHAR = 4;

export function binlogColumn(column: ColumnDef): BinlogColumn {
  const t = column.type;
  const nullable = column.nullable;
  switch (t.kind) {
    case 'int':
      return { type: INT_NAMES[t.bytes], unsigned: t.unsigned, nullable };
    case 'double':
      return { type: 'double', nullable };
    case 'varchar':
      return { type: 'varchar', maxBytes: t.length * BYTES_PER_CHAR, nullable };
    case 'varbinary':
      return { type: 'varchar', maxBytes: t.length, nullable };
    case 'char':
      return { type: 'char', maxBytes: t.length * BYTES_PER_CHAR, nullable };
    case 'binary':
      return { type: 'char', maxBytes: t.length, nullable };
    case 'text':
    case 'blob':
      return { type: 'blob', lengthBytes: LOB_LENGTH_BYTES[t.size], nullable };
    case 'datetime':
      return { type: 'datetime', fsp: t.fsp, nullable };
  }
}

/** The table map's columns for a table (hidden primary keys are not columns and are not logged). */
export function binlogColumns(table: TableSchema): BinlogColumn[] {
  return table.columns.map(binlogColumn);
}

/** A stored row as a binlog row image: values pass through (a SqlDateTime has the fields a DATETIME needs). */
export function toBinlogRow(row: readonly SqlValue[]): BinlogValue[] {
  return row.map((v) => v);
}

/**
 * A binlog row image (as decoded: strings as bytes, DATETIME as fields) back to a stored
 * row of `table`. Wrong shapes (bytes that are not UTF-8 for a text column, an invalid
 * DATETIME, a number for a string column) give StoredBytesCorruptError naming the column.
 */
export function fromBinlogRow(table: TableSchema, values: readonly BinlogValue[]): SqlValue[] {
  const columns = table.columns;
  if (values.length !== columns.length) throw new StoredBytesCorruptError(`binlog row of ${table.database}.${table.name}`, 0, `${values.length} values for ${columns.length} columns`);
  return columns.map((c, i) => fromBinlogValue(c, values[i] ?? null, `binlog row of ${table.database}.${table.name}`));
}

function fromBinlogValue(column: ColumnDef, v: BinlogValue, what: string): SqlValue {
  if (v === null) return null;
  const bad = (detail: string): never => {
    throw new StoredBytesCorruptError(what, 0, `column ${column.name}: ${detail}`);
  };
  const t = column.type;
  switch (t.kind) {
    case 'int':
      if (t.bytes === 8) return typeof v === 'bigint' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : bad('not an integer');
      return typeof v === 'number' && Number.isSafeInteger(v) ? v : typeof v === 'bigint' ? Number(v) : bad('not an integer');
    case 'double':
      return typeof v === 'number' ? v : bad('not a number');
    case 'char':
    case 'varchar':
    case 'text': {
      if (typeof v === 'string') return v;
      if (!(v instanceof Uint8Array)) return bad('not a string');
      return utf8DecodeStrict(v) ?? bad('not valid UTF-8');
    }
    case 'binary':
    case 'varbinary':
    case 'blob':
      if (v instanceof Uint8Array) return v;
      return typeof v === 'string' ? new TextEncoder().encode(v) : bad('not bytes');
    case 'datetime': {
      if (typeof v !== 'object' || v instanceof Uint8Array) return bad('not a DATETIME');
      if (v instanceof SqlDateTime) return v.withFsp(t.fsp);
      return SqlDateTime.of(v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond, t.fsp) ?? bad('invalid DATETIME');
    }
  }
}
