import { SqlDateTime } from './datetime.js';
import { readNumericPrefix } from './numeric-string.js';
import { compareBytes, compareStringsBinary, type SqlValue, utf8Encode } from './sql-value.js';

/**
 * SQL comparison of two values with MySQL's conversion rules, binary collation:
 * - NULL with anything → null (unknown);
 * - two strings → code point (UTF-8 byte) order; bytes with bytes or strings → byte order;
 * - integers (number or bigint) → exact integer order; with a double → numeric order;
 * - a number with a string → both as doubles (the string read by MySQL's numeric prefix rule);
 * - DATETIME with a string → the string read as a datetime when it is one, else both as strings;
 *   with a number → both as YYYYMMDDhhmmss numbers.
 * Returns -1, 0 or 1.
 */
export function compareSqlValues(a: SqlValue, b: SqlValue): number | null {
  if (a === null || b === null) return null;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareStringsBinary(a, b);
  return compareMixed(a, b);
}

function compareMixed(a: Exclude<SqlValue, null>, b: Exclude<SqlValue, null>): number {
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'number' || ta === 'bigint') && (tb === 'number' || tb === 'bigint')) return compareNumeric(a as number | bigint, b as number | bigint);
  if (a instanceof SqlDateTime || b instanceof SqlDateTime) return compareWithDateTime(a, b);
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (ta === 'number' || ta === 'bigint' || tb === 'number' || tb === 'bigint') return sign(toDouble(a) - toDouble(b));
    return compareBytes(asBytes(a), asBytes(b));
  }
  // one numeric, one string
  return compareDoubles(toDouble(a), toDouble(b));
}

/** Exact comparison of integers and doubles (a bigint against a fractional double included). */
export function compareNumeric(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint') return -compareBigintDouble(b as number, a);
  return compareBigintDouble(a, b as bigint);
}

/** Compares double x with bigint y exactly. */
function compareBigintDouble(x: number, y: bigint): number {
  if (Number.isNaN(x)) return 0;
  if (x === Infinity) return 1;
  if (x === -Infinity) return -1;
  const floor = Math.floor(x);
  const f = BigInt(floor);
  if (f < y) return -1;
  if (f > y) return 1;
  return x === floor ? 0 : 1;
}

function compareDoubles(x: number, y: number): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function compareWithDateTime(a: Exclude<SqlValue, null>, b: Exclude<SqlValue, null>): number {
  if (a instanceof SqlDateTime && b instanceof SqlDateTime) return sign(a.compare(b));
  const flip = !(a instanceof SqlDateTime);
  const dt = (flip ? b : a) as SqlDateTime;
  const other = flip ? a : b;
  let result: number;
  if (typeof other === 'string' || other instanceof Uint8Array) {
    const text = typeof other === 'string' ? other : new TextDecoder().decode(other);
    const parsed = SqlDateTime.parse(text);
    result = parsed === undefined ? compareStringsBinary(dt.toString(), text) : sign(dt.compare(parsed));
  } else {
    result = compareNumeric(dt.toNumber(), other as number | bigint);
  }
  return flip ? -result : result;
}

/** A value in numeric (double) context, MySQL style. NULL is not accepted. */
export function toDouble(value: Exclude<SqlValue, null>): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') return readNumericPrefix(value).value;
  if (value instanceof SqlDateTime) return value.toNumber();
  return readNumericPrefix(new TextDecoder().decode(value)).value;
}

function asBytes(value: Exclude<SqlValue, null>): Uint8Array {
  if (value instanceof Uint8Array) return value;
  return utf8Encode(typeof value === 'string' ? value : String(value));
}
