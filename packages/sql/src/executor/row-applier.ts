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
   * The replica write-set keys of an event (`@lockstep/replication`'s `ApplyTarget.writeSet`):
   * for a rows event the primary key and unique keys of every image; [] for a TABLE_MAP
   * (remembered for the rows events after it), GTID, XID and BEGIN/COMMIT; undefined
   * (unknown: the transaction is scheduled alone) for any other QUERY event, a rows event of
   * a table without a primary key (its rows have no identity to compare), or a rows event
   * whose table map or table is not known. Never throws.
   */
  writeSet(event: AnyEvent): string[] | undefined {
    switch (event.kind) {
      case 'tableMap': {
        const table = this.catalog().findTable(event.database, event.table);
        if (table === undefined) this.#tables.delete(event.tableId);
        else this.#tables.set(event.tableId, table);
        return [];
      }
      case 'writeRows':
      case 'updateRows':
      case 'deleteRows': {
        const table = this.#tables.get(event.tableId);
        if (table === undefined || table.def.hiddenPrimaryKey) return undefined;
        const out = new Set<string>();
        const images: RowImage[] = event.kind === 'updateRows' ? event.rows.flatMap((r) => [r.before, r.after]) : [...event.rows];
        try {
          for (const image of images) for (const k of rowWriteSetKeys(table, this.rowOf(table, image))) out.add(k);
        } catch {
          return undefined; // an image this table cannot hold: let the applier meet the error
        }
        return [...out];
      }
      case 'query':
        return /^\s*(BEGIN|COMMIT)\s*$/i.test(event.sql) ? [] : undefined;
      default:
        return [];
    }
  }
}
