import type { SqlValue } from '../types/sql-value.js';
import { IndexKeyCodec, keyHex } from '../keys/index-key.js';
import type { TableSchema } from './table-schema.js';

/**
 * The kv entries one row occupies: its primary key (value: the encoded row) and one key
 * per secondary index (value: empty). `hiddenRowId` is required for tables without a
 * declared primary key (the caller allocates it from `table.counters.hiddenRowId`).
 */
export interface RowEntries {
  readonly primaryKey: Uint8Array;
  readonly value: Uint8Array;
  /** Parallel to `table.def.secondaryIndexes`. */
  readonly secondaryKeys: readonly Uint8Array[];
}

const EMPTY = new Uint8Array(0);

/** The primary key values of a row (the hidden row id for tables without a declared key). */
export function primaryKeyValues(table: TableSchema, row: readonly SqlValue[], hiddenRowId?: bigint): SqlValue[] {
  if (table.def.hiddenPrimaryKey) {
    if (hiddenRowId === undefined) throw new TypeError(`table ${table.name} has a hidden primary key: pass the row id`);
    return [hiddenRowId];
  }
  return table.def.primaryKey.columns.map((p) => row[p] ?? null);
}

export function rowEntries(table: TableSchema, row: readonly SqlValue[], hiddenRowId?: bigint): RowEntries {
  const pk = primaryKeyValues(table, row, hiddenRowId);
  const primaryKey = table.primaryCodec.encode(pk);
  const value = table.rowCodec.encode(row);
  const secondaryKeys = table.def.secondaryIndexes.map((ix, i) => table.secondaryCodecs[i]!.encodeFromRow(row, ix.columns, pk));
  return { primaryKey, value, secondaryKeys };
}

/** The empty value of a secondary index entry. */
export function secondaryValue(): Uint8Array {
  return EMPTY;
}

/**
 * The replica applier's write-set keys for one row image: the primary key, and each
 * unique secondary key without NULLs (NULLs never conflict). See @lockstep/replication,
 * "Plugging in the SQL layer".
 */
export function rowWriteSetKeys(table: TableSchema, row: readonly SqlValue[], hiddenRowId?: bigint): string[] {
  const pk = primaryKeyValues(table, row, hiddenRowId);
  const keys = [keyHex(table.database, table.name, IndexKeyCodec.columnBytes(table.primaryCodec.encode(pk)))];
  table.def.secondaryIndexes.forEach((ix, i) => {
    if (!ix.unique) return;
    const values = ix.columns.map((p) => row[p] ?? null);
    if (values.includes(null)) return;
    keys.push(keyHex(table.database, table.name, IndexKeyCodec.columnBytes(table.secondaryCodecs[i]!.encode(values)), ix.name));
  });
  return keys;
}
