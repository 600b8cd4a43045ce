import { NotSupportedError } from '../errors/not-supported-error.js';
import type { AggregateFunction } from '../parser/ast.js';
import { compareSqlValues, toDouble } from '../types/compare.js';
import { SqlDateTime } from '../types/datetime.js';
import type { SqlValue } from '../types/sql-value.js';
import { normalizeInteger } from './arithmetic.js';

/** Bound on the distinct values one COUNT/SUM/AVG(DISTINCT ...) remembers. */
export const MAX_DISTINCT_AGGREGATE_VALUES = 1_000_000;

/**
 * One aggregate's running state. NULLs are skipped (COUNT(*) counts rows: pass any non-null).
 * SUM of integers is exact (bigint inside; MySQL returns DECIMAL), of anything else a double;
 * AVG is a double; SUM/AVG/MIN/MAX of no rows is NULL, COUNT of no rows is 0.
 */
export interface Aggregator {
  add(value: SqlValue): void;
  result(): SqlValue;
}

export function createAggregator(fn: AggregateFunction, distinct: boolean): Aggregator {
  const inner = createPlain(fn);
  if (!distinct || fn === 'MIN' || fn === 'MAX') return inner;
  const seen = new Set<string>();
  return {
    add(value) {
      if (value === null) return;
      const key = distinctKey(value);
      if (seen.has(key)) return;
      if (seen.size >= MAX_DISTINCT_AGGREGATE_VALUES) throw new NotSupportedError(`${fn}(DISTINCT) over more than ${MAX_DISTINCT_AGGREGATE_VALUES} values`);
      seen.add(key);
      inner.add(value);
    },
    result: () => inner.result(),
  };
}

/** A key equal for values SQL calls equal within one type (numbers: 1 and 1.0 and 1n agree). */
function distinctKey(value: Exclude<SqlValue, null>): string {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? `i${value}` : `d${value}`;
  if (typeof value === 'bigint') return `i${value}`;
  if (typeof value === 'string') return `s${value}`;
  if (value instanceof SqlDateTime) return `t${value.packedDate()}.${value.packedTime()}.${value.microsecond}`;
  return `b${Buffer.from(value).toString('hex')}`;
}

function createPlain(fn: AggregateFunction): Aggregator {
  switch (fn) {
    case 'COUNT': {
      let n = 0;
      return {
        add(v) {
          if (v !== null) n++;
        },
        result: () => n,
      };
    }
    case 'SUM':
    case 'AVG': {
      let count = 0;
      let intSum = 0n;
      let doubleSum = 0;
      let allIntegers = true;
      return {
        add(v) {
          if (v === null) return;
          count++;
          if (allIntegers && (typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v)))) {
            intSum += BigInt(v);
          } else {
            if (allIntegers) {
              allIntegers = false;
              doubleSum = Number(intSum);
            }
            doubleSum += toDouble(v);
          }
        },
        result() {
          if (count === 0) return null;
          if (fn === 'AVG') return (allIntegers ? Number(intSum) : doubleSum) / count;
          return allIntegers ? normalizeInteger(intSum) : doubleSum;
        },
      };
    }
    case 'MIN':
    case 'MAX': {
      let best: SqlValue = null;
      const wantLess = fn === 'MIN';
      return {
        add(v) {
          if (v === null) return;
          if (best === null) {
            best = v;
            return;
          }
          const c = compareSqlValues(v, best)!;
          if (wantLess ? c < 0 : c > 0) best = v;
        },
        result: () => best,
      };
    }
  }
}
