import { ColumnCountError } from '../errors/column-count-error.js';
import { ColumnSpecifiedTwiceError } from '../errors/column-specified-twice-error.js';
import { NoDefaultValueError } from '../errors/no-default-value-error.js';
import { OutOfRangeError } from '../errors/out-of-range-error.js';
import { coerceToColumn } from '../types/coerce.js';
import { integerRange } from '../types/column-type.js';
import type { SqlDateTime } from '../types/datetime.js';
import type { SqlValue } from '../types/sql-value.js';
import type { TableSchema } from './table-schema.js';

/** Marks the DEFAULT keyword in an INSERT value list. */
export const USE_DEFAULT: unique symbol = Symbol('DEFAULT');
export type InsertValue = SqlValue | typeof USE_DEFAULT;

/** Positions of the INSERT column list (all columns in order when undefined); 1054 / 1110 on bad names. */
export function resolveInsertColumns(table: TableSchema, names: readonly string[] | undefined): number[] {
  if (names === undefined) return table.columns.map((_, i) => i);
  const seen = new Set<number>();
  return names.map((n) => {
    const p = table.columnPosition(n, 'field list');
    if (seen.has(p)) throw new ColumnSpecifiedTwiceError(table.columns[p]!.name);
    seen.add(p);
    return p;
  });
}

export interface InsertRowResult {
  readonly row: SqlValue[];
  /** The AUTO_INCREMENT value generated for this row (for LAST_INSERT_ID()), if one was. */
  readonly generatedId: bigint | undefined;
}

/**
 * Builds a full, coerced row for an INSERT: listed columns take their values (DEFAULT →
 * the column default), the others their defaults; 1364 for a NOT NULL column without a
 * default (strict mode). AUTO_INCREMENT: NULL, 0 or no value takes the table's next value
 * (1264 once past the column's maximum); an explicit larger value moves the counter past
 * it. The counter moves even if the statement later fails (gaps, as in MySQL).
 */
export function buildInsertRow(
  table: TableSchema,
  positions: readonly number[],
  values: readonly InsertValue[],
  rowNumber: number,
  now: () => SqlDateTime,
): InsertRowResult {
  if (values.length !== positions.length) throw new ColumnCountError(rowNumber);
  const columns = table.columns;
  const row: SqlValue[] = new Array<SqlValue>(columns.length);
  const given: (InsertValue | undefined)[] = new Array<InsertValue | undefined>(columns.length);
  for (let i = 0; i < positions.length; i++) given[positions[i]!] = values[i];
  let generatedId: bigint | undefined;
  for (let p = 0; p < columns.length; p++) {
    const column = columns[p]!;
    const v = given[p];
    if (p === table.autoIncrementColumn) {
      const explicit = v === undefined || v === USE_DEFAULT ? null : coerceToColumn(v, { ...column, nullable: true }, rowNumber);
      if (explicit === null || explicit === 0 || explicit === 0n) {
        const next = table.counters.autoIncrement;
        const type = column.type;
        if (type.kind === 'int' && next > integerRange(type.bytes, type.unsigned).max) throw new OutOfRangeError(column.name, rowNumber);
        table.counters.autoIncrement = next + 1n;
        generatedId = next;
        row[p] = column.type.kind === 'int' && column.type.bytes === 8 ? next : Number(next);
      } else {
        const n = BigInt(explicit as number | bigint);
        if (n >= table.counters.autoIncrement) table.counters.autoIncrement = n + 1n;
        row[p] = explicit;
      }
      continue;
    }
    if (v === undefined || v === USE_DEFAULT) {
      const d = column.default;
      if (d.kind === 'value') row[p] = d.value;
      else if (d.kind === 'currentTimestamp') row[p] = coerceToColumn(now(), column, rowNumber);
      else if (column.nullable) row[p] = null;
      else throw new NoDefaultValueError(column.name);
      continue;
    }
    row[p] = coerceToColumn(v, column, rowNumber);
  }
  return { row, generatedId };
}
