import { toDouble } from '../types/compare.js';
import { SqlDateTime } from '../types/datetime.js';
import type { SqlValue } from '../types/sql-value.js';

/** SQL truth of a value: null is unknown; numbers are true when non-zero; strings by their numeric prefix. */
export function truth(value: SqlValue): boolean | null {
  if (value === null) return null;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  if (value instanceof SqlDateTime) return value.toNumber() !== 0;
  return toDouble(value) !== 0;
}

/** SQL boolean result: 1, 0 or NULL. */
export function sqlBool(b: boolean | null): SqlValue {
  return b === null ? null : b ? 1 : 0;
}
