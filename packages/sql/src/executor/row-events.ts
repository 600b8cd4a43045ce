import { DEFAULT_MAX_EVENT_BYTES, RowsFlag, type EventInput, type RowImage } from '@lockstep/binlog';
import { BinlogRowTooLargeError } from './errors/binlog-row-too-large-error.js';
import { binlogColumns } from '../catalog/binlog-columns.js';
import type { TableSchema } from '../catalog/table-schema.js';
import type { SqlValue } from '../types/sql-value.js';

/**
 * Bound on the estimated size of one rows event: a statement's changes to a table are
 * split into events of at most about this many bytes of row images (MariaDB's
 * binlog_row_event_max_size default, 8 KiB); one row larger than this gets an event alone.
 */
export const MAX_ROWS_EVENT_BYTES = 8192;

/**
 * Bound on one row change's images (before + after, as stored): past it the statement fails
 * with 1534 before anything is committed, instead of the binlog encoder refusing the event
 * at commit. The binlog's own bound on an event, less room for the event's other fields.
 */
export const MAX_BINLOG_ROW_BYTES = DEFAULT_MAX_EVENT_BYTES - 64 * 1024;

type ChangeKind = 'write' | 'update' | 'delete';

interface ChangeRun {
  readonly table: TableSchema;
  readonly kind: ChangeKind;
  readonly rows: { before: SqlValue[] | undefined; after: SqlValue[] | undefined; bytes: number }[];
}

/** Table ids in TABLE_MAP events: the table's catalog id (stable while the table exists). */
export function binlogTableId(table: TableSchema): number {
  return table.def.id;
}

/** A row's values as a binlog row image (a SqlDateTime carries the DATETIME fields). */
export function rowImage(row: readonly SqlValue[]): RowImage {
  return row;
}

/**
 * The row changes of one statement, in order, grouped into runs of one table and one
 * change kind; `events()` turns them into TABLE_MAP + rows events (STMT_END on the last).
 */
export class StatementChanges {
  private readonly runs: ChangeRun[] = [];

  constructor(private readonly maxRowBytes = MAX_BINLOG_ROW_BYTES) {}

  get empty(): boolean {
    return this.runs.length === 0;
  }

  add(table: TableSchema, kind: ChangeKind, before: SqlValue[] | undefined, after: SqlValue[] | undefined, bytes: number): void {
    if (bytes > this.maxRowBytes) throw new BinlogRowTooLargeError(`${table.database}.${table.name}`, bytes, this.maxRowBytes);
    const last = this.runs[this.runs.length - 1];
    const row = { before, after, bytes: bytes + 8 };
    if (last?.table === table && last.kind === kind) last.rows.push(row);
    else this.runs.push({ table, kind, rows: [row] });
  }

  events(maxEventBytes = MAX_ROWS_EVENT_BYTES): EventInput[] {
    if (this.runs.length === 0) return [];
    const out: EventInput[] = [];
    const mapped = new Set<TableSchema>();
    for (const run of this.runs) {
      if (mapped.has(run.table)) continue;
      mapped.add(run.table);
      out.push({ kind: 'tableMap', tableId: binlogTableId(run.table), tableFlags: 1, database: run.table.database, table: run.table.name, columns: binlogColumns(run.table) });
    }
    for (const run of this.runs) {
      const tableId = binlogTableId(run.table);
      const columnCount = run.table.columns.length;
      let chunk: ChangeRun['rows'] = [];
      let bytes = 0;
      const flush = (): void => {
        if (chunk.length === 0) return;
        if (run.kind === 'write') out.push({ kind: 'writeRows', tableId, rowsFlags: 0, columnCount, rows: chunk.map((r) => rowImage(r.after!)) });
        else if (run.kind === 'delete') out.push({ kind: 'deleteRows', tableId, rowsFlags: 0, columnCount, rows: chunk.map((r) => rowImage(r.before!)) });
        else out.push({ kind: 'updateRows', tableId, rowsFlags: 0, columnCount, rows: chunk.map((r) => ({ before: rowImage(r.before!), after: rowImage(r.after!) })) });
        chunk = [];
        bytes = 0;
      };
      for (const r of run.rows) {
        if (chunk.length > 0 && bytes + r.bytes > maxEventBytes) flush();
        chunk.push(r);
        bytes += r.bytes;
      }
      flush();
    }
    const last = out[out.length - 1]!;
    out[out.length - 1] = { ...last, rowsFlags: RowsFlag.STMT_END } as EventInput;
    return out;
  }
}
