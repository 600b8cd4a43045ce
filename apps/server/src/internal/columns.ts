// Mapping between the SQL layer's values/columns and the wire protocol's.
import { SqlDateTime, type ColumnType as SqlColumnType, type ResultSetColumn, type SqlValue } from '@lockstep/sql';
import { Charset, ColumnFlag, ColumnType, formatDateTime, formatTime, type ColumnDefinition, type WireValue } from '@lockstep/wire';

const LOB_TYPE = { tiny: ColumnType.TINY_BLOB, normal: ColumnType.BLOB, medium: ColumnType.MEDIUM_BLOB, long: ColumnType.LONG_BLOB } as const;
const LOB_LENGTH = { tiny: 255, normal: 65_535, medium: 16_777_215, long: 4_294_967_295 } as const;
const INT_TYPE = { 1: ColumnType.TINY, 2: ColumnType.SHORT, 3: ColumnType.INT24, 4: ColumnType.LONG, 8: ColumnType.LONGLONG } as const;
const INT_LENGTH = { 1: 4, 2: 6, 3: 9, 4: 11, 8: 20 } as const;
/** utf8mb4 takes up to 4 bytes a character; column lengths are in bytes. */
const UTF8MB4_MAX_BYTES = 4;

interface WireShape {
  readonly type: number;
  readonly flags: number;
  readonly characterSet: number;
  readonly columnLength: number;
  readonly decimals: number;
}

/** The wire type, flags, collation, display length and decimals of an SQL column type. */
export function wireShape(type: SqlColumnType): WireShape {
  switch (type.kind) {
    case 'int':
      return { type: INT_TYPE[type.bytes], flags: ColumnFlag.NUM | (type.unsigned ? ColumnFlag.UNSIGNED : 0), characterSet: Charset.BINARY, columnLength: type.displayWidth ?? INT_LENGTH[type.bytes], decimals: 0 };
    case 'char':
      return { type: ColumnType.STRING, flags: 0, characterSet: Charset.UTF8MB4_GENERAL_CI, columnLength: type.length * UTF8MB4_MAX_BYTES, decimals: 0 };
    case 'varchar':
      return { type: ColumnType.VAR_STRING, flags: 0, characterSet: Charset.UTF8MB4_GENERAL_CI, columnLength: type.length * UTF8MB4_MAX_BYTES, decimals: 0 };
    case 'text':
      return { type: LOB_TYPE[type.size], flags: ColumnFlag.BLOB, characterSet: Charset.UTF8MB4_GENERAL_CI, columnLength: LOB_LENGTH[type.size], decimals: 0 };
    case 'binary':
      return { type: ColumnType.STRING, flags: ColumnFlag.BINARY, characterSet: Charset.BINARY, columnLength: type.length, decimals: 0 };
    case 'varbinary':
      return { type: ColumnType.VAR_STRING, flags: ColumnFlag.BINARY, characterSet: Charset.BINARY, columnLength: type.length, decimals: 0 };
    case 'blob':
      return { type: LOB_TYPE[type.size], flags: ColumnFlag.BLOB | ColumnFlag.BINARY, characterSet: Charset.BINARY, columnLength: LOB_LENGTH[type.size], decimals: 0 };
    case 'double':
      return type.declaredAs === 'FLOAT'
        ? { type: ColumnType.FLOAT, flags: ColumnFlag.NUM, characterSet: Charset.BINARY, columnLength: 12, decimals: 31 }
        : { type: ColumnType.DOUBLE, flags: ColumnFlag.NUM, characterSet: Charset.BINARY, columnLength: 22, decimals: 31 };
    case 'datetime':
      return { type: ColumnType.DATETIME, flags: ColumnFlag.BINARY, characterSet: Charset.BINARY, columnLength: type.fsp === 0 ? 19 : 20 + type.fsp, decimals: type.fsp };
  }
}

/** Wire column definitions, cached per result column object so the wire layer's per-definition encoding cache hits. */
const definitions = new WeakMap<ResultSetColumn, ColumnDefinition>();

export function columnDefinition(column: ResultSetColumn): ColumnDefinition {
  let definition = definitions.get(column);
  if (definition === undefined) {
    const shape = wireShape(column.type);
    definition = {
      name: column.name,
      type: shape.type,
      flags: shape.flags | (column.nullable ? 0 : ColumnFlag.NOT_NULL),
      characterSet: shape.characterSet,
      columnLength: shape.columnLength,
      decimals: shape.decimals,
      schema: column.database,
      table: column.table,
      orgTable: column.table,
      orgName: column.orgName,
    };
    definitions.set(column, definition);
  }
  return definition;
}

const columnLists = new WeakMap<readonly ResultSetColumn[], readonly ColumnDefinition[]>();

export function columnDefinitions(columns: readonly ResultSetColumn[]): readonly ColumnDefinition[] {
  let list = columnLists.get(columns);
  if (list === undefined) {
    list = columns.map(columnDefinition);
    columnLists.set(columns, list);
  }
  return list;
}

/**
 * A statement parameter as the SQL layer takes it: booleans become 0/1, dates
 * SqlDateTime, TIME values their text ('[-]h:mm:ss[.ffffff]'). Other values pass as they are.
 */
export function sqlParameter(value: WireValue): SqlValue {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || value instanceof Uint8Array) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if ('year' in value) {
    const fsp = value.microsecond === 0 ? 0 : 6;
    // An impossible date goes on as text, so the SQL layer rejects it with its own error.
    return SqlDateTime.of(value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond, fsp) ?? formatDateTime(value, ColumnType.DATETIME, fsp);
  }
  return formatTime(value, value.microseconds === 0 ? 0 : 6);
}
