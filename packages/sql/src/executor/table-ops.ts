import type { ScanOptions, Transaction } from '@lockstep/txn';
import { rowEntries, primaryKeyValues } from '../catalog/table-keys.js';
import type { TableSchema } from '../catalog/table-schema.js';
import { prefixSuccessor, readIndexId } from '../keys/index-key.js';
import { NotSupportedError } from '../errors/not-supported-error.js';
import type { AccessPlan, ResolvedAccess } from '../plan/access-path.js';
import { toText } from '../expr/compile.js';
import type { SqlValue } from '../types/sql-value.js';
import { DuplicateEntryError } from './errors/duplicate-entry-error.js';
import type { StatementChanges } from './row-events.js';

/** A row as stored: its primary key bytes, its values, and the hidden row id of a table without a primary key. */
export interface StoredRow {
  readonly key: Uint8Array;
  readonly row: SqlValue[];
  readonly hiddenRowId: bigint | undefined;
}

export type ReadLock = 'none' | 'shared' | 'exclusive';

/** Bound on the rows one statement reads into memory (a larger read fails with 1235, naming the bound). */
export const MAX_STATEMENT_ROWS = 1_000_000;

const EMPTY = new Uint8Array(0);

/** Scan options for a planner range: an upper bound past the index's last key (the next index's prefix) becomes "to the end of the index". */
function scanOptions(indexId: number, range: { readonly gte: Uint8Array; readonly lt: Uint8Array }, lock: 'shared' | 'exclusive' | undefined): ScanOptions {
  const lt = range.lt.length >= 4 && readIndexId(range.lt) === indexId ? range.lt : undefined;
  if (lt === undefined) return lock === undefined ? { gte: range.gte } : { gte: range.gte, lock };
  return lock === undefined ? { gte: range.gte, lt } : { gte: range.gte, lt, lock };
}

function hiddenIdOf(table: TableSchema, key: Uint8Array): bigint | undefined {
  if (!table.def.hiddenPrimaryKey) return undefined;
  return table.primaryCodec.decode(key)[0] as bigint;
}

function stored(table: TableSchema, key: Uint8Array, value: Uint8Array): StoredRow {
  return { key, row: table.rowCodec.decode(value), hiddenRowId: hiddenIdOf(table, key) };
}

async function getRow(t: Transaction, key: Uint8Array, lock: ReadLock): Promise<Uint8Array | undefined> {
  if (lock === 'exclusive') return t.getForUpdate(key);
  if (lock === 'shared') return t.getForShare(key);
  return t.get(key);
}

/**
 * Reads the rows an access path selects, in index order. Locking reads (`lock` not 'none')
 * lock what they scan through txn — in range mode the scanned gaps too — and read the newest
 * committed rows; a secondary index read locks the index entries and then each row's
 * primary key. `stopAfter` ends the read early (a LIMIT without ORDER BY, filter applied by `accept`).
 */
export async function readRows(
  t: Transaction,
  table: TableSchema,
  plan: AccessPlan,
  resolved: ResolvedAccess,
  lock: ReadLock,
  accept?: (row: readonly SqlValue[]) => boolean,
  stopAfter = Infinity,
): Promise<StoredRow[]> {
  const out: StoredRow[] = [];
  const scanLock = lock === 'none' ? undefined : lock;
  const push = (r: StoredRow): boolean => {
    if (accept !== undefined && !accept(r.row)) return true;
    out.push(r);
    if (out.length > MAX_STATEMENT_ROWS) throw new NotSupportedError(`a statement reading more than ${MAX_STATEMENT_ROWS} rows`);
    return out.length < stopAfter;
  };
  for (const range of resolved.ranges) {
    if (plan.primary) {
      if (range.exactKey !== undefined) {
        const value = await getRow(t, range.exactKey, lock);
        if (value !== undefined && !push(stored(table, range.exactKey, value))) return out;
        continue;
      }
      const it = t.scan(plan.index.id, scanOptions(plan.index.id, range, scanLock));
      try {
        for await (const entry of it) if (!push(stored(table, entry.key, entry.value))) return out;
      } finally {
        it.close();
      }
      continue;
    }
    const keys: Uint8Array[] = [];
    const width = plan.index.columns.length;
    const codec = plan.codec;
    const it = t.scan(plan.index.id, scanOptions(plan.index.id, range, scanLock));
    try {
      for await (const entry of it) {
        const pk = codec.decode(entry.key).slice(width);
        keys.push(table.primaryCodec.encode(pk));
        if (keys.length > MAX_STATEMENT_ROWS) throw new NotSupportedError(`a statement reading more than ${MAX_STATEMENT_ROWS} rows`);
      }
    } finally {
      it.close();
    }
    for (const key of keys) {
      const value = await getRow(t, key, lock);
      if (value !== undefined && !push(stored(table, key, value))) return out;
    }
  }
  return out;
}

/** Every row of a table in primary key order (plain or locking). */
export async function readAll(t: Transaction, table: TableSchema, lock: ReadLock): Promise<StoredRow[]> {
  const out: StoredRow[] = [];
  const it = t.scan(table.def.primaryKey.id, lock === 'none' ? {} : { lock });
  try {
    for await (const entry of it) out.push(stored(table, entry.key, entry.value));
  } finally {
    it.close();
  }
  return out;
}

function entryText(values: readonly SqlValue[]): string {
  return values.map((v) => (v === null ? 'NULL' : toText(v))).join('-');
}

/**
 * Row writes with index maintenance, duplicate-key checks and binlog change recording.
 * Every write goes through the transaction (exclusive locks on the keys written).
 */
export class RowWriter {
  constructor(
    private readonly t: Transaction,
    private readonly changes: StatementChanges | undefined,
  ) {}

  /** The row that already holds the primary key or a unique key of `row`, if any (locked exclusively); undefined when none. */
  async conflictOf(table: TableSchema, row: readonly SqlValue[], ownKey: Uint8Array | undefined): Promise<{ row: StoredRow; keyName: string; values: SqlValue[] } | undefined> {
    if (!table.def.hiddenPrimaryKey) {
      const pk = primaryKeyValues(table, row);
      const key = table.primaryCodec.encode(pk);
      if (ownKey === undefined || !sameBytes(key, ownKey)) {
        const existing = await this.t.getForUpdate(key);
        if (existing !== undefined) return { row: stored(table, key, existing), keyName: 'PRIMARY', values: pk };
      }
    }
    const indexes = table.def.secondaryIndexes;
    for (let i = 0; i < indexes.length; i++) {
      const ix = indexes[i]!;
      if (!ix.unique) continue;
      const values = ix.columns.map((p) => row[p] ?? null);
      if (values.includes(null)) continue;
      const codec = table.secondaryCodecs[i]!;
      const prefix = codec.encode(values);
      // One lock on the unique prefix serializes every checker of this value, in point mode too.
      await this.t.lockKey(prefix, 'exclusive');
      const it = this.t.scan(ix.id, scanOptions(ix.id, { gte: prefix, lt: prefixSuccessor(prefix) ?? prefix }, 'exclusive'));
      try {
        for await (const entry of it) {
          const key = table.primaryCodec.encode(codec.decode(entry.key).slice(ix.columns.length));
          if (ownKey !== undefined && sameBytes(key, ownKey)) continue;
          const value = await this.t.getForUpdate(key);
          if (value !== undefined) return { row: stored(table, key, value), keyName: ix.name, values };
        }
      } finally {
        it.close();
      }
    }
    return undefined;
  }

  /** Inserts a row whose conflicts were checked (or throws 1062 through `check`). Returns the stored row. */
  async insert(table: TableSchema, row: SqlValue[], check = true): Promise<StoredRow> {
    if (check) {
      const conflict = await this.conflictOf(table, row, undefined);
      if (conflict !== undefined) throw new DuplicateEntryError(entryText(conflict.values), conflict.keyName);
    }
    let hidden: bigint | undefined;
    if (table.def.hiddenPrimaryKey) {
      hidden = table.counters.hiddenRowId;
      table.counters.hiddenRowId = hidden + 1n;
    }
    const entries = rowEntries(table, row, hidden);
    await this.t.put(entries.primaryKey, entries.value);
    for (const k of entries.secondaryKeys) await this.t.put(k, EMPTY);
    this.changes?.add(table, 'write', undefined, row, entries.value.length);
    return { key: entries.primaryKey, row, hiddenRowId: hidden };
  }

  /** Replaces `old` by `next` (same table): duplicate checks for a changed primary/unique key, index entries moved. */
  async update(table: TableSchema, old: StoredRow, next: SqlValue[], changedIndexes?: readonly number[]): Promise<void> {
    const oldEntries = rowEntries(table, old.row, old.hiddenRowId);
    const newEntries = rowEntries(table, next, old.hiddenRowId);
    const keyMoved = !sameBytes(oldEntries.primaryKey, newEntries.primaryKey);
    const uniqueChanged = table.def.secondaryIndexes.some((ix, i) => ix.unique && !sameBytes(oldEntries.secondaryKeys[i]!, newEntries.secondaryKeys[i]!));
    if (keyMoved || uniqueChanged) {
      const conflict = await this.conflictOf(table, next, old.key);
      if (conflict !== undefined) throw new DuplicateEntryError(entryText(conflict.values), conflict.keyName);
    }
    if (keyMoved) await this.t.delete(oldEntries.primaryKey);
    await this.t.put(newEntries.primaryKey, newEntries.value);
    const indexes = changedIndexes ?? table.def.secondaryIndexes.map((_ix, i) => i);
    for (const i of indexes) {
      const before = oldEntries.secondaryKeys[i]!;
      const after = newEntries.secondaryKeys[i]!;
      if (sameBytes(before, after)) continue;
      await this.t.delete(before);
      await this.t.put(after, EMPTY);
    }
    this.changes?.add(table, 'update', old.row, next, oldEntries.value.length + newEntries.value.length);
  }

  async delete(table: TableSchema, old: StoredRow): Promise<void> {
    const entries = rowEntries(table, old.row, old.hiddenRowId);
    await this.t.delete(entries.primaryKey);
    for (const k of entries.secondaryKeys) await this.t.delete(k);
    this.changes?.add(table, 'delete', old.row, undefined, entries.value.length);
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function sameRow(table: TableSchema, a: readonly SqlValue[], b: readonly SqlValue[]): boolean {
  return sameBytes(table.rowCodec.encode(a), table.rowCodec.encode(b));
}
