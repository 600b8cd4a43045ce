import { ColumnNullError } from '../errors/column-null-error.js';
import { DataTooLongError } from '../errors/data-too-long-error.js';
import { DataTruncatedError } from '../errors/data-truncated-error.js';
import { IncorrectDatetimeError } from '../errors/incorrect-datetime-error.js';
import { IncorrectValueError } from '../errors/incorrect-value-error.js';
import { OutOfRangeError } from '../errors/out-of-range-error.js';
import { type ColumnType, integerRange, LOB_MAX_BYTES } from './column-type.js';
import { SqlDateTime } from './datetime.js';
import { readNumericPrefix, roundHalfAwayFromZero } from './numeric-string.js';
import { codePointLength, type SqlValue, utf8DecodeStrict, utf8Encode, utf8Length } from './sql-value.js';

/** What value coercion needs to know about a column. */
export interface CoercionTarget {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
}

/**
 * Converts a value for storage in `column`, as MySQL does in strict mode (STRICT_TRANS_TABLES,
 * MariaDB's default): out of range → 1264, unreadable → 1366 (1292 for datetimes),
 * trailing garbage in a number → 1265, NULL into NOT NULL → 1048, too long → 1406.
 * `rowNumber` (1-based) is only for the error message. Returns the stored representation:
 * number for TINYINT..INT and DOUBLE, bigint for BIGINT, string for CHAR/VARCHAR/TEXT (CHAR
 * loses trailing spaces, as MySQL returns it), Uint8Array for BINARY/VARBINARY/BLOB,
 * SqlDateTime (truncated to the column's fsp) for DATETIME.
 */
export function coerceToColumn(value: SqlValue, column: CoercionTarget, rowNumber: number): SqlValue {
  if (value === null) {
    if (!column.nullable) throw new ColumnNullError(column.name);
    return null;
  }
  const type = column.type;
  switch (type.kind) {
    case 'int':
      return coerceInteger(value, type.bytes, type.unsigned, column.name, rowNumber);
    case 'double':
      return coerceDouble(value, column.name, rowNumber);
    case 'char':
    case 'varchar':
    case 'text': {
      let text = toText(value, column.name, rowNumber);
      if (type.kind === 'char') text = text.replace(/ +$/, '');
      if (type.kind === 'text') {
        if (utf8Length(text) > LOB_MAX_BYTES[type.size]) throw new DataTooLongError(column.name, rowNumber);
      } else if (text.length > type.length && codePointLength(text) > type.length) {
        throw new DataTooLongError(column.name, rowNumber);
      }
      return text;
    }
    case 'binary':
    case 'varbinary':
    case 'blob': {
      let bytes = toBytes(value);
      const max = type.kind === 'blob' ? LOB_MAX_BYTES[type.size] : type.length;
      if (bytes.length > max) throw new DataTooLongError(column.name, rowNumber);
      if (type.kind === 'binary' && bytes.length < type.length) {
        const padded = new Uint8Array(type.length);
        padded.set(bytes);
        bytes = padded;
      }
      return bytes;
    }
    case 'datetime':
      return coerceDateTime(value, type.fsp, column.name, rowNumber);
  }
}

function coerceInteger(value: Exclude<SqlValue, null>, bytes: 1 | 2 | 3 | 4 | 8, unsigned: boolean, name: string, rowNumber: number): number | bigint {
  let integer: bigint;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new OutOfRangeError(name, rowNumber);
    integer = BigInt(roundHalfAwayFromZero(value));
  } else if (typeof value === 'bigint') {
    integer = value;
  } else if (value instanceof SqlDateTime) {
    integer = BigInt(roundHalfAwayFromZero(value.toNumber()));
  } else {
    const text = typeof value === 'string' ? value : utf8DecodeStrict(value) ?? '';
    const prefix = readNumericPrefix(text);
    if (prefix.empty) throw new IncorrectValueError('integer', text, name, rowNumber);
    if (!prefix.complete) throw new DataTruncatedError(name, rowNumber);
    if (prefix.integer !== undefined) integer = prefix.integer;
    else if (!Number.isFinite(prefix.value)) throw new OutOfRangeError(name, rowNumber);
    else integer = BigInt(roundHalfAwayFromZero(prefix.value));
  }
  const range = integerRange(bytes, unsigned);
  if (integer < range.min || integer > range.max) throw new OutOfRangeError(name, rowNumber);
  return bytes === 8 ? integer : Number(integer);
}

function coerceDouble(value: Exclude<SqlValue, null>, name: string, rowNumber: number): number {
  let result: number;
  if (typeof value === 'number') result = value;
  else if (typeof value === 'bigint') result = Number(value);
  else if (value instanceof SqlDateTime) result = value.toNumber();
  else {
    const text = typeof value === 'string' ? value : utf8DecodeStrict(value) ?? '';
    const prefix = readNumericPrefix(text);
    if (prefix.empty) throw new IncorrectValueError('double', text, name, rowNumber);
    if (!prefix.complete) throw new DataTruncatedError(name, rowNumber);
    result = prefix.value;
  }
  if (!Number.isFinite(result)) throw new OutOfRangeError(name, rowNumber);
  return result === 0 ? 0 : result; // no negative zero in storage
}

function toText(value: Exclude<SqlValue, null>, name: string, rowNumber: number): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof SqlDateTime) return value.toString();
  const text = utf8DecodeStrict(value);
  if (text === undefined) throw new IncorrectValueError('string', hexShown(value), name, rowNumber);
  return text;
}

function toBytes(value: Exclude<SqlValue, null>): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return utf8Encode(value);
  if (typeof value === 'number') return utf8Encode(formatNumber(value));
  return utf8Encode(value.toString());
}

function coerceDateTime(value: Exclude<SqlValue, null>, fsp: number, name: string, rowNumber: number): SqlDateTime {
  let parsed: SqlDateTime | undefined;
  if (value instanceof SqlDateTime) parsed = value;
  else if (typeof value === 'string') parsed = SqlDateTime.parse(value);
  else if (typeof value === 'number') parsed = SqlDateTime.fromNumber(value);
  else if (typeof value === 'bigint') parsed = SqlDateTime.fromNumber(Number(value));
  else parsed = SqlDateTime.parse(utf8DecodeStrict(value) ?? '');
  if (parsed === undefined) {
    const shown = value instanceof Uint8Array ? hexShown(value) : String(value);
    throw new IncorrectDatetimeError(shown, name, rowNumber);
  }
  return parsed.withFsp(fsp);
}

/** A double as MySQL prints it in string context (shortest round-trip form, no '+' in exponents). */
export function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  return String(value).replace('e+', 'e');
}

function hexShown(bytes: Uint8Array): string {
  let s = '\\x';
  for (let i = 0; i < Math.min(bytes.length, 16); i++) s += bytes[i]!.toString(16).padStart(2, '0').toUpperCase();
  return s;
}
