/**
 * Column types of the SQL subset. Integer widths are MySQL's: TINYINT 1 byte, SMALLINT 2,
 * MEDIUMINT 3, INT 4, BIGINT 8 (BIGINT values are `bigint`, the others `number`).
 * CHAR/VARCHAR lengths count characters; TEXT/BLOB limits count bytes.
 */
export type IntegerBytes = 1 | 2 | 3 | 4 | 8;
export type LobSize = 'tiny' | 'normal' | 'medium' | 'long';

export type ColumnType =
  | { readonly kind: 'int'; readonly bytes: IntegerBytes; readonly unsigned: boolean; readonly displayWidth?: number }
  | { readonly kind: 'char'; readonly length: number }
  | { readonly kind: 'varchar'; readonly length: number }
  | { readonly kind: 'text'; readonly size: LobSize }
  | { readonly kind: 'binary'; readonly length: number }
  | { readonly kind: 'varbinary'; readonly length: number }
  | { readonly kind: 'blob'; readonly size: LobSize }
  | { readonly kind: 'double'; readonly declaredAs: 'DOUBLE' | 'FLOAT' }
  | { readonly kind: 'datetime'; readonly fsp: number };

/** Largest CHAR length and VARCHAR length (characters) we accept, as MySQL (255 and 65535 bytes / 4 for utf8mb4 ≈ 16383). */
export const MAX_CHAR_LENGTH = 255;
export const MAX_VARCHAR_LENGTH = 16_383;
export const MAX_BINARY_LENGTH = 255;
export const MAX_VARBINARY_LENGTH = 65_535;

export const LOB_MAX_BYTES: Readonly<Record<LobSize, number>> = {
  tiny: 255,
  normal: 65_535,
  medium: 16_777_215,
  long: 4_294_967_295,
};

/** Value kind a column holds: which JS representation and which comparison. */
export type ValueClass = 'int' | 'bigint' | 'string' | 'bytes' | 'double' | 'datetime';

export function valueClassOf(type: ColumnType): ValueClass {
  switch (type.kind) {
    case 'int':
      return type.bytes === 8 ? 'bigint' : 'int';
    case 'char':
    case 'varchar':
    case 'text':
      return 'string';
    case 'binary':
    case 'varbinary':
    case 'blob':
      return 'bytes';
    case 'double':
      return 'double';
    case 'datetime':
      return 'datetime';
  }
}

export interface IntegerRange {
  readonly min: bigint;
  readonly max: bigint;
}

const INT_RANGES = new Map<string, IntegerRange>();
for (const bytes of [1, 2, 3, 4, 8] as const) {
  const bits = BigInt(bytes * 8);
  INT_RANGES.set(`${bytes}s`, { min: -(1n << (bits - 1n)), max: (1n << (bits - 1n)) - 1n });
  INT_RANGES.set(`${bytes}u`, { min: 0n, max: (1n << bits) - 1n });
}

export function integerRange(bytes: IntegerBytes, unsigned: boolean): IntegerRange {
  return INT_RANGES.get(`${bytes}${unsigned ? 'u' : 's'}`)!;
}

const INT_NAMES: Readonly<Record<IntegerBytes, string>> = { 1: 'tinyint', 2: 'smallint', 3: 'mediumint', 4: 'int', 8: 'bigint' };
const DEFAULT_WIDTH: Readonly<Record<IntegerBytes, [number, number]>> = { 1: [4, 3], 2: [6, 5], 3: [9, 8], 4: [11, 10], 8: [20, 20] };
const LOB_PREFIX: Readonly<Record<LobSize, string>> = { tiny: 'tiny', normal: '', medium: 'medium', long: 'long' };

/** The type as SHOW CREATE TABLE prints it (MariaDB style: `int(11)`, `bigint(20) unsigned`, `char(120)`). */
export function columnTypeSql(type: ColumnType): string {
  switch (type.kind) {
    case 'int': {
      const width = type.displayWidth ?? DEFAULT_WIDTH[type.bytes][type.unsigned ? 1 : 0];
      return `${INT_NAMES[type.bytes]}(${width})${type.unsigned ? ' unsigned' : ''}`;
    }
    case 'char':
      return `char(${type.length})`;
    case 'varchar':
      return `varchar(${type.length})`;
    case 'binary':
      return `binary(${type.length})`;
    case 'varbinary':
      return `varbinary(${type.length})`;
    case 'text':
      return `${LOB_PREFIX[type.size]}text`;
    case 'blob':
      return `${LOB_PREFIX[type.size]}blob`;
    case 'double':
      return 'double';
    case 'datetime':
      return type.fsp === 0 ? 'datetime' : `datetime(${type.fsp})`;
  }
}

/** Short name used in error messages ('integer', 'double', 'string', 'datetime'). */
export function typeNameForErrors(type: ColumnType): string {
  switch (type.kind) {
    case 'int':
      return 'integer';
    case 'double':
      return 'double';
    case 'datetime':
      return 'datetime';
    default:
      return 'string';
  }
}
