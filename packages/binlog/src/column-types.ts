/** Column type codes in TABLE_MAP events (MySQL's `enum_field_types`), the subset we encode. */
export const ColumnType = {
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  LONGLONG: 8,
  INT24: 9,
  VARCHAR: 15,
  DATETIME2: 18,
  BLOB: 252,
  STRING: 254,
} as const;
export type ColumnTypeCode = (typeof ColumnType)[keyof typeof ColumnType];

/** One column of a table map. */
export type ColumnDef =
  | { readonly type: 'tinyint' | 'smallint' | 'mediumint' | 'int' | 'bigint'; readonly unsigned: boolean; readonly nullable: boolean }
  | { readonly type: 'float' | 'double'; readonly nullable: boolean }
  /** `maxBytes`: the column's maximum length in bytes (VARCHAR(300) utf8mb4: 1200). */
  | { readonly type: 'varchar'; readonly maxBytes: number; readonly nullable: boolean }
  /** CHAR: `maxBytes` is the field length in bytes (CHAR(10) utf8mb4: 40), at most 1023. */
  | { readonly type: 'char'; readonly maxBytes: number; readonly nullable: boolean }
  /** TEXT and BLOB: `lengthBytes` 1 (TINY), 2 (plain), 3 (MEDIUM), 4 (LONG). */
  | { readonly type: 'blob'; readonly lengthBytes: 1 | 2 | 3 | 4; readonly nullable: boolean }
  /** DATETIME with `fsp` fractional digits (0..6), stored as DATETIME2. */
  | { readonly type: 'datetime'; readonly fsp: number; readonly nullable: boolean }
  /** A type this package does not decode: its code and raw metadata. Rows of such a table decode with an error. */
  | { readonly type: 'unsupported'; readonly typeCode: number; readonly metadata: Uint8Array; readonly nullable: boolean };

export type ColumnKind = ColumnDef['type'];

/** A DATETIME value, as its fields (zero dates are representable). */
export interface DateTimeValue {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly microsecond: number;
}

/**
 * A column's value in a row image: integers as `number` (BIGINT as `bigint`), DOUBLE and
 * FLOAT as `number`, CHAR/VARCHAR/TEXT/BLOB as bytes (a string is accepted when writing and
 * encoded as UTF-8), DATETIME as its fields, NULL as `null`.
 */
export type ColumnValue = null | number | bigint | Uint8Array | string | DateTimeValue;

/** `YYYY-MM-DD hh:mm:ss[.ffffff]` with `fsp` fractional digits. */
export function formatDateTime(value: DateTimeValue, fsp = 0): string {
  const p = (n: number, w: number): string => String(n).padStart(w, '0');
  const base = `${p(value.year, 4)}-${p(value.month, 2)}-${p(value.day, 2)} ${p(value.hour, 2)}:${p(value.minute, 2)}:${p(value.second, 2)}`;
  return fsp > 0 ? `${base}.${p(value.microsecond, 6).slice(0, fsp)}` : base;
}
