import { ValueOutOfRangeError } from '../errors/value-out-of-range-error.js';
import { toDouble } from '../types/compare.js';
import type { SqlValue } from '../types/sql-value.js';

/**
 * Arithmetic with MySQL's typing: two integers give an integer (exact, as bigint when it
 * leaves the safe range; error 1690 outside BIGINT: [-2^63, 2^63-1], or [0, 2^64-1] when an
 * operand is above 2^63-1, i.e. BIGINT UNSIGNED); anything else is done in doubles
 * (strings read as numbers, DATETIME as YYYYMMDDhhmmss), error 1690 when not finite.
 * `/` always gives a double (MySQL gives DECIMAL); division or modulo by zero gives NULL.
 */
export type ArithmeticOperator = '+' | '-' | '*' | '/' | 'DIV' | '%';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

type Integer = number | bigint;

function isInteger(v: Exclude<SqlValue, null>): v is Integer {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v));
}

/** A bigint result back to the smallest faithful representation. */
export function normalizeInteger(v: bigint): Integer {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

function checkedInteger(result: bigint, unsignedOperand: boolean, expression: () => string): Integer {
  const min = unsignedOperand ? 0n : INT64_MIN;
  const max = unsignedOperand ? UINT64_MAX : INT64_MAX;
  if (result < min || result > max) throw new ValueOutOfRangeError(unsignedOperand ? 'BIGINT UNSIGNED' : 'BIGINT', expression());
  return normalizeInteger(result);
}

function checkedDouble(result: number, expression: () => string): number {
  if (!Number.isFinite(result)) throw new ValueOutOfRangeError('DOUBLE', expression());
  return result;
}

export function arithmetic(op: ArithmeticOperator, a: SqlValue, b: SqlValue, expression: () => string): SqlValue {
  if (a === null || b === null) return null;
  if (op !== '/' && isInteger(a) && isInteger(b)) {
    if (typeof a === 'number' && typeof b === 'number') {
      // Fast path: small integers stay numbers while exact.
      let r: number;
      switch (op) {
        case '+':
          r = a + b;
          break;
        case '-':
          r = a - b;
          break;
        case '*':
          r = a * b;
          break;
        case 'DIV':
          if (b === 0) return null;
          // Doubles divide 31-bit integers exactly enough for the truncated quotient.
          if (Math.abs(a) < 2 ** 31 && Math.abs(b) < 2 ** 31) return Math.trunc(a / b);
          return integerOp(op, BigInt(a), BigInt(b), false, expression);
        case '%':
          if (b === 0) return null;
          return a % b;
      }
      if (Number.isSafeInteger(r)) return r;
    }
    const x = BigInt(a);
    const y = BigInt(b);
    return integerOp(op, x, y, x > INT64_MAX || y > INT64_MAX, expression);
  }
  const x = toDouble(a);
  const y = toDouble(b);
  switch (op) {
    case '+':
      return checkedDouble(x + y, expression);
    case '-':
      return checkedDouble(x - y, expression);
    case '*':
      return checkedDouble(x * y, expression);
    case '/':
      return y === 0 ? null : checkedDouble(x / y, expression);
    case 'DIV': {
      if (y === 0) return null;
      const q = Math.trunc(x / y);
      if (!Number.isFinite(q)) throw new ValueOutOfRangeError('BIGINT', expression());
      return checkedInteger(BigInt(q), q > Number(INT64_MAX), expression);
    }
    case '%':
      return y === 0 ? null : x % y;
  }
}

function integerOp(op: Exclude<ArithmeticOperator, '/'>, x: bigint, y: bigint, unsignedOperand: boolean, expression: () => string): SqlValue {
  switch (op) {
    case '+':
      return checkedInteger(x + y, unsignedOperand, expression);
    case '-':
      return checkedInteger(x - y, unsignedOperand, expression);
    case '*':
      return checkedInteger(x * y, unsignedOperand, expression);
    case 'DIV':
      return y === 0n ? null : checkedInteger(x / y, unsignedOperand, expression);
    case '%':
      return y === 0n ? null : normalizeInteger(x % y);
  }
}

export function negate(a: SqlValue, expression: () => string): SqlValue {
  if (a === null) return null;
  if (typeof a === 'number') return a === 0 ? 0 : -a;
  if (typeof a === 'bigint') return checkedInteger(-a, false, expression);
  return -toDouble(a);
}

export function bitNot(a: SqlValue): SqlValue {
  if (a === null) return null;
  const v = typeof a === 'bigint' ? a : BigInt(Math.trunc(typeof a === 'number' ? a : toDouble(a)));
  return normalizeInteger(BigInt.asUintN(64, ~v));
}
