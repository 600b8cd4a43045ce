import type { BinlogEvent, EventInput, RowImage } from '@lockstep/binlog';
import type { Transaction } from '@lockstep/txn';
import type { Catalog } from '../catalog/catalog.js';
import { fromBinlogRow, type BinlogValue } from '../catalog/binlog-columns.js';
import { primaryKeyValues, rowWriteSetKeys } from '../catalog/table-keys.js';
import type { TableSchema } from '../catalog/table-schema.js';
import { NotSupportedError } from '../errors/not-supported-error.js';
import type { SqlValue } from '../types/sql-value.js';
import { RowNotFoundError } from './errors/row-not-found-error.js';
import { UnknownTableMapError } from './errors/unknown-table-map-error.js';
import { readAll, RowWriter, sameRow, type StoredRow } from './table-ops.js';

type AnyEvent = BinlogEvent | EventInput;

/**
 * Applies binlog row events to tables (recovery redo, and the replica's applier):
 * TABLE_MAP remembers the table, WRITE_ROWS inserts the after image (put: a redo may meet
 * its own earlier partial work), UPDATE_ROWS finds the row by the before image's primary
 * key (a table without one: by the whole before image) and replaces it, DELETE_ROWS
 * deletes it. Rows are read with exclusive locks (the replica locks as it goes).
 */
export class RowEventApplier {
  readonly #tables = new Map<number, TableSchema>();

  constructor(private readonly catalog: () => Catalog) {}

  private table(tableId: number): TableSchema {
    const t = this.#tables.get(tableId);
    if (t === undefined) throw new UnknownTableMapError(tableId);
    return t;
  }

  private rowOf(table: TableSchema, image: RowImage): SqlValue[] {
    return fromBinlogRow(table, image.map((v): BinlogValue => (v === undefined ? null : v)));
  }

  private async find(t: Transaction, table: TableSchema, row: SqlValue[]): Promise<StoredRow> {
    if (table.def.hiddenPrimaryKey) {
      for (const r of await readAll(t, table, 'exclusive')) if (sameRow(table, r.row, row)) return r;
      throw new RowNotFoundError(table.name);
    }
    const key = table.primaryCodec.encode(primaryKeyValues(table, row));
    const value = await t.getForUpdate(key);
    if (value === undefined) throw new RowNotFoundError(table.name);
    return { key, row: table.rowCodec.decode(value), hiddenRowId: undefined };
  }

  /** Applies one event of a transaction to `t` (GTID/XID/QUERY BEGIN events are ignored). */
  async applyEvent(t: Transaction, event: AnyEvent): Promise<void> {
    const writer = new RowWriter(t, undefined);
    switch (event.kind) {
      case 'tableMap':
        this.#tables.set(event.tableId, this.catalog().getTable(event.database, event.table));
        return;
      case 'writeRows': {
        const table = this.table(event.tableId);
        for (const image of event.rows) await writer.insert(table, this.rowOf(table, image), false);
        return;
      }
      case 'updateRows': {
        const table = this.table(event.tableId);
        for (const r of event.rows) {
          const old = await this.find(t, table, this.rowOf(table, r.before));
          await writer.update(table, old, this.rowOf(table, r.after));
        }
        return;
      }
      case 'deleteRows': {
        const table = this.table(event.tableId);
        for (const image of event.rows) await writer.delete(table, await this.find(t, table, this.rowOf(table, image)));
        return;
      }
      case 'gtid':
      case 'xid':
      case 'annotateRows':
        return;
      case 'query':
        if (/^\s*(BEGIN|COMMIT)\s*$/i.test(event.sql)) return;
        throw new NotSupportedError('applying a query event as a row event (DDL goes through redo)');
      default:
        throw new NotSupportedError(`applying a ${event.kind} event`);
    }
  }

  /**
   * The replica write-set keys of a rows event (primary key and unique keys of every image);
   * a TABLE_MAP is remembered and gives none. A table without a primary key gives one
   * table-wide key (its rows have no identity a replica could compare).
   */
  writeSet(event: AnyEvent): string[] {
    if (event.kind === 'tableMap') {
      this.#tables.set(event.tableId, this.catalog().getTable(event.database, event.table));
      return [];
    }
    if (event.kind !== 'writeRows' && event.kind !== 'updateRows' && event.kind !== 'deleteRows') return [];
    const table = this.table(event.tableId);
    if (table.def.hiddenPrimaryKey) return [`${table.database}.${table.name}`];
    const out = new Set<string>();
    const images: RowImage[] = event.kind === 'updateRows' ? event.rows.flatMap((r) => [r.before, r.after]) : [...event.rows];
    for (const image of images) for (const k of rowWriteSetKeys(table, this.rowOf(table, image))) out.add(k);
    return [...out];
  }
}
