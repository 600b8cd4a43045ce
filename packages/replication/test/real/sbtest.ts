// The sysbench table on the real stack: its binlog form (TABLE_MAP + WRITE/UPDATE/DELETE_ROWS
// with full images, QUERY events for statements and DDL), its kv form (primary index, a
// secondary index on k, the replica position table, a per-domain catalog row), and a model
// (a Map) that replays the same events serially.
import { LockstepError } from '@lockstep/base';
import type { BinlogEvent, ColumnValue, EventInput, RowImage } from '@lockstep/binlog';
import { indexKey } from '@lockstep/txn';

/** `sbtest1(id INT PRIMARY KEY, k INT, c CHAR(120), pad CHAR(60))`, KEY k_1 (k). */
export const SBTEST_TABLE_ID = 42;
export const PRIMARY_INDEX = 1;
export const K_INDEX = 2;
/** The replica position table (MariaDB's mysql.gtid_slave_pos): key = domain ‖ seqNo. */
export const POSITION_INDEX = 3;
/** One catalog row per GTID domain, changed by the DDL-like QUERY events. */
export const CATALOG_INDEX = 4;

export const sbtestTableMap: EventInput = {
  kind: 'tableMap',
  tableId: SBTEST_TABLE_ID,
  tableFlags: 1,
  database: 'sbtest',
  table: 'sbtest1',
  columns: [
    { type: 'int', unsigned: false, nullable: false },
    { type: 'int', unsigned: false, nullable: false },
    { type: 'char', maxBytes: 120, nullable: false },
    { type: 'char', maxBytes: 60, nullable: false },
  ],
};

export interface SbRow {
  readonly k: number;
  readonly c: string;
  readonly pad: string;
}

/** The table's state: rows by id, and per domain the catalog row the DDL events append to. */
export interface SbState {
  readonly rows: Map<number, SbRow>;
  readonly catalog: Map<number, string>;
}

export const emptyState = (): SbState => ({ rows: new Map(), catalog: new Map() });

export class RowMismatchError extends LockstepError {
  constructor(message: string) {
    // HA_ERR_KEY_NOT_FOUND as the replica reports it: "Can't find record in 'sbtest1'".
    super('SBTEST_ROW_MISMATCH', message, { errno: 1032, sqlState: 'HY000' });
  }
}

export class ReplicaEngineFailedError extends LockstepError {
  constructor(cause: unknown) {
    super('SBTEST_ENGINE_FAILED', `the replica's engine failed after a commit was logged (recovery redoes it from the replica binlog): ${String(cause)}`, { errno: 1180, cause });
  }
}

export class UnsupportedEventError extends LockstepError {
  constructor(message: string) {
    super('SBTEST_UNSUPPORTED_EVENT', message);
  }
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** INT in memcomparable form: sign bit flipped, big-endian. */
function putInt(out: Uint8Array, offset: number, value: number): void {
  new DataView(out.buffer, out.byteOffset).setUint32(offset, (value ^ 0x80000000) >>> 0);
}

export function primaryKey(id: number): Uint8Array {
  const b = new Uint8Array(4);
  putInt(b, 0, id);
  return indexKey(PRIMARY_INDEX, b);
}

/** Secondary entry: k ‖ id (unique per row), empty value. */
export function kIndexKey(k: number, id: number): Uint8Array {
  const b = new Uint8Array(8);
  putInt(b, 0, k);
  putInt(b, 4, id);
  return indexKey(K_INDEX, b);
}

export function positionKey(domainId: number, seqNo: bigint): Uint8Array {
  const b = new Uint8Array(12);
  const view = new DataView(b.buffer);
  view.setUint32(0, domainId);
  view.setBigUint64(4, seqNo);
  return indexKey(POSITION_INDEX, b);
}

export function catalogKey(domainId: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, domainId);
  return indexKey(CATALOG_INDEX, b);
}

/** Row value: k (4 bytes) ‖ length of c (1 byte) ‖ c ‖ pad. */
export function encodeRow(row: SbRow): Uint8Array {
  const c = enc.encode(row.c);
  const pad = enc.encode(row.pad);
  const out = new Uint8Array(5 + c.length + pad.length);
  new DataView(out.buffer).setInt32(0, row.k);
  out[4] = c.length;
  out.set(c, 5);
  out.set(pad, 5 + c.length);
  return out;
}

export function decodeRow(bytes: Uint8Array): SbRow {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cLength = bytes[4]!;
  return { k: view.getInt32(0), c: dec.decode(bytes.subarray(5, 5 + cLength)), pad: dec.decode(bytes.subarray(5 + cLength)) };
}

export function rowsEqual(a: SbRow, b: SbRow): boolean {
  return a.k === b.k && a.c === b.c && a.pad === b.pad;
}

function describeValue(value: ColumnValue | undefined): string {
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

function text(value: ColumnValue | undefined): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return dec.decode(value);
  throw new UnsupportedEventError(`expected a CHAR value, got ${describeValue(value)}`);
}

function int(value: ColumnValue | undefined): number {
  if (typeof value === 'number') return value;
  throw new UnsupportedEventError(`expected an INT value, got ${describeValue(value)}`);
}

/** A row image of sbtest1 as (id, row). */
export function imageRow(image: RowImage): { readonly id: number; readonly row: SbRow } {
  return { id: int(image[0]), row: { k: int(image[1]), c: text(image[2]), pad: text(image[3]) } };
}

export const rowImage = (id: number, row: SbRow): RowImage => [id, row.k, row.c, row.pad];

export type EventBodyOf<K extends EventInput['kind']> = Extract<EventInput, { kind: K }>;

/** `UPDATE sbtest1 SET k=k+1 WHERE id=N`: a statement whose rows the scheduler cannot see. */
const STATEMENT = /^UPDATE sbtest1 SET k=k\+1 WHERE id=(\d+)$/;
/** `ALTER TABLE sbtest1 COMMENT 'text'`: DDL-like, appends to the domain's catalog row. */
const DDL = /^ALTER TABLE sbtest1 COMMENT '([^']*)'$/;

export type ParsedQuery = { readonly kind: 'begin' } | { readonly kind: 'statement'; readonly id: number } | { readonly kind: 'ddl'; readonly comment: string };

export function parseQuery(sql: string): ParsedQuery {
  if (sql === 'BEGIN') return { kind: 'begin' };
  const statement = STATEMENT.exec(sql);
  if (statement !== null) return { kind: 'statement', id: Number(statement[1]) };
  const ddl = DDL.exec(sql);
  if (ddl !== null) return { kind: 'ddl', comment: ddl[1]! };
  throw new UnsupportedEventError(`unsupported statement: ${sql}`);
}

export const statementSql = (id: number): string => `UPDATE sbtest1 SET k=k+1 WHERE id=${id}`;
export const ddlSql = (comment: string): string => `ALTER TABLE sbtest1 COMMENT '${comment}'`;

/**
 * The write set of one event: the primary keys of every before and after image (sbtest1
 * has no other unique key), `[]` for events that write nothing, `undefined` for a
 * statement or DDL (rows unknown until it runs).
 */
export function sbtestWriteSet(event: BinlogEvent | EventInput): readonly string[] | undefined {
  switch (event.kind) {
    case 'writeRows':
    case 'deleteRows': {
      const keys: string[] = [];
      for (const image of event.rows) keys.push(`sbtest.sbtest1:${int(image[0])}`);
      return keys;
    }
    case 'updateRows': {
      const keys: string[] = [];
      for (const { before, after } of event.rows) {
        keys.push(`sbtest.sbtest1:${int(before[0])}`);
        if (after[0] !== before[0]) keys.push(`sbtest.sbtest1:${int(after[0])}`);
      }
      return keys;
    }
    case 'query':
      return event.sql === 'BEGIN' ? [] : undefined;
    default:
      return [];
  }
}

/**
 * Serial replay: applies one transaction's events to `state` with the replica's rules
 * (an update or delete must find the before image; an insert must not find the row).
 */
export function applyToState(state: SbState, domainId: number, events: readonly (BinlogEvent | EventInput)[]): void {
  for (const event of events) {
    switch (event.kind) {
      case 'writeRows':
        for (const image of event.rows) {
          const { id, row } = imageRow(image);
          if (state.rows.has(id)) throw new RowMismatchError(`insert of existing row ${id}`);
          state.rows.set(id, row);
        }
        break;
      case 'updateRows':
        for (const { before, after } of event.rows) {
          const b = imageRow(before);
          const a = imageRow(after);
          const current = state.rows.get(b.id);
          if (current === undefined || !rowsEqual(current, b.row)) throw new RowMismatchError(`update of row ${b.id}: before image not found`);
          state.rows.delete(b.id);
          state.rows.set(a.id, a.row);
        }
        break;
      case 'deleteRows':
        for (const image of event.rows) {
          const { id, row } = imageRow(image);
          const current = state.rows.get(id);
          if (current === undefined || !rowsEqual(current, row)) throw new RowMismatchError(`delete of row ${id}: before image not found`);
          state.rows.delete(id);
        }
        break;
      case 'query': {
        const q = parseQuery(event.sql);
        if (q.kind === 'statement') {
          const current = state.rows.get(q.id);
          if (current !== undefined) state.rows.set(q.id, { ...current, k: current.k + 1 });
        } else if (q.kind === 'ddl') {
          state.catalog.set(domainId, `${state.catalog.get(domainId) ?? ''}${q.comment};`);
        }
        break;
      }
      default:
        break;
    }
  }
}

export function statesEqual(a: SbState, b: SbState): string | undefined {
  if (a.rows.size !== b.rows.size) return `row count ${a.rows.size} vs ${b.rows.size}`;
  for (const [id, row] of a.rows) {
    const other = b.rows.get(id);
    if (other === undefined || !rowsEqual(row, other)) return `row ${id}: ${JSON.stringify(row)} vs ${JSON.stringify(other)}`;
  }
  if (a.catalog.size !== b.catalog.size) return `catalog rows ${a.catalog.size} vs ${b.catalog.size}`;
  for (const [d, c] of a.catalog) if (b.catalog.get(d) !== c) return `catalog of domain ${d}: ${c} vs ${String(b.catalog.get(d))}`;
  return undefined;
}
