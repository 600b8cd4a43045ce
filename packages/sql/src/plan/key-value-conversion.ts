import { readNumericPrefix } from '../types/numeric-string.js';
import { type ColumnType, integerRange, valueClassOf } from '../types/column-type.js';
import { SqlDateTime } from '../types/datetime.js';
import { type SqlValue, utf8Encode } from '../types/sql-value.js';

/**
 * Turning a constant compared with a column into a key value of the column's type, so that
 * the key order answers the SQL comparison. The result says how the comparison maps:
 * - `value`: `col <op> constant` holds exactly when `col <op> value` in key order
 *   (`exact` false when a conversion was involved that the planner does not trust fully;
 *   the executor then applies the whole WHERE, never only the residual);
 * - `noMatch`: no stored value compares equal (int column = 1.5, out of the type's range);
 *   for ranges, `belowAll` / `aboveAll` tell which side of every stored value it falls;
 * - `unusable`: the comparison does not follow key order (a number against a string
 *   column compares as doubles) — the index cannot serve it.
 */
export type KeyConversion =
  | { readonly kind: 'value'; readonly value: SqlValue; readonly exact: boolean; readonly fraction?: 'up' | 'down' }
  | { readonly kind: 'belowAll' }
  | { readonly kind: 'aboveAll' }
  | { readonly kind: 'unusable' }
  | { readonly kind: 'null' };

const SAFE = 2 ** 53;

export function convertForKey(type: ColumnType, constant: SqlValue): KeyConversion {
  if (constant === null) return { kind: 'null' };
  const cls = valueClassOf(type);
  switch (cls) {
    case 'int':
    case 'bigint': {
      const t = type as Extract<ColumnType, { kind: 'int' }>;
      const range = integerRange(t.bytes, t.unsigned);
      let exact = true;
      let integer: bigint;
      let fraction: 'up' | 'down' | undefined;
      if (typeof constant === 'bigint') integer = constant;
      else if (typeof constant === 'number' && Number.isSafeInteger(constant)) integer = BigInt(constant);
      else {
        // Compared as doubles (MySQL): usable while the double is exact for these integers.
        let d: number;
        if (typeof constant === 'number') d = constant;
        else if (typeof constant === 'string') {
          d = readNumericPrefix(constant).value;
          exact = false;
        } else return { kind: 'unusable' };
        if (Number.isNaN(d)) return { kind: 'unusable' };
        if (d === Infinity) return { kind: 'aboveAll' };
        if (d === -Infinity) return { kind: 'belowAll' };
        if (Math.abs(d) >= SAFE) {
          if (d > Number(range.max)) return { kind: 'aboveAll' };
          if (d < Number(range.min)) return { kind: 'belowAll' };
          return { kind: 'unusable' };
        }
        const floor = Math.floor(d);
        integer = BigInt(floor);
        if (floor !== d) fraction = 'up'; // the constant lies between `integer` and `integer + 1`
      }
      if (integer < range.min) return fraction === 'up' && integer + 1n === range.min ? { kind: 'value', value: fromBig(range.min, t.bytes), exact, fraction: 'down' } : { kind: 'belowAll' };
      if (integer > range.max) return { kind: 'aboveAll' };
      if (fraction === 'up' && integer === range.max) return { kind: 'aboveAll' };
      return fraction === undefined ? { kind: 'value', value: fromBig(integer, t.bytes), exact } : { kind: 'value', value: fromBig(integer, t.bytes), exact, fraction };
    }
    case 'double': {
      if (typeof constant === 'number') return Number.isNaN(constant) ? { kind: 'unusable' } : { kind: 'value', value: constant === 0 ? 0 : constant, exact: true };
      if (typeof constant === 'bigint') {
        const d = Number(constant);
        return { kind: 'value', value: d, exact: BigInt(d) === constant };
      }
      if (typeof constant === 'string') return { kind: 'value', value: readNumericPrefix(constant).value, exact: false };
      return { kind: 'unusable' };
    }
    case 'string':
      if (typeof constant === 'string') return { kind: 'value', value: constant, exact: true };
      return { kind: 'unusable' };
    case 'bytes':
      if (constant instanceof Uint8Array) return { kind: 'value', value: constant, exact: true };
      if (typeof constant === 'string') return { kind: 'value', value: utf8Encode(constant), exact: true };
      return { kind: 'unusable' };
    case 'datetime': {
      const fsp = (type as Extract<ColumnType, { kind: 'datetime' }>).fsp;
      const dt = constant instanceof SqlDateTime ? constant : typeof constant === 'string' ? SqlDateTime.parse(constant) : undefined;
      if (dt === undefined) return { kind: 'unusable' };
      // A constant with more fractional digits than the column stores sits between two stored values.
      const stored = dt.withFsp(fsp);
      return stored.equals(dt) ? { kind: 'value', value: dt, exact: true } : { kind: 'value', value: stored, exact: false, fraction: 'up' };
    }
  }
}

function fromBig(v: bigint, bytes: number): number | bigint {
  return bytes === 8 ? v : Number(v);
}
