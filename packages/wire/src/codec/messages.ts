import { Charset, ColumnType } from '../constants.js';
import { MalformedPacketError } from '../errors/malformed-packet-error.js';
import { PacketReader } from './packet-reader.js';
import { PacketWriter } from './packet-writer.js';
import { type WireValue, valueToText, writeBinaryValue } from './values.js';

/** A result-set column (or a prepared-statement parameter) as described to clients. */
export interface ColumnDefinition {
  readonly name: string;
  /** A `ColumnType` code. */
  readonly type: number;
  /** `ColumnFlag` bits; UNSIGNED matters for binary results. Default 0. */
  readonly flags?: number;
  /** Collation id. Default: utf8mb4_general_ci (45) for character types, binary (63) otherwise. */
  readonly characterSet?: number;
  /** Display length. Default: a sensible width for the type. */
  readonly columnLength?: number;
  /** Decimals (fractional-second digits for temporal types). Default 0 (31 for FLOAT/DOUBLE). */
  readonly decimals?: number;
  readonly schema?: string;
  readonly table?: string;
  readonly orgTable?: string;
  readonly orgName?: string;
}

/** The fields of an OK packet. */
export interface OkPacket {
  readonly affectedRows: bigint;
  readonly lastInsertId: bigint;
  readonly statusFlags: number;
  readonly warnings: number;
  readonly info: string;
}

const CHARACTER_TYPES = new Set<number>([ColumnType.VARCHAR, ColumnType.VAR_STRING, ColumnType.STRING, ColumnType.ENUM, ColumnType.SET, ColumnType.JSON]);

const DEFAULT_LENGTH: Partial<Record<number, number>> = {
  [ColumnType.TINY]: 4,
  [ColumnType.SHORT]: 6,
  [ColumnType.INT24]: 9,
  [ColumnType.LONG]: 11,
  [ColumnType.LONGLONG]: 20,
  [ColumnType.FLOAT]: 12,
  [ColumnType.DOUBLE]: 22,
  [ColumnType.YEAR]: 4,
  [ColumnType.DATE]: 10,
  [ColumnType.TIME]: 10,
  [ColumnType.DATETIME]: 19,
  [ColumnType.TIMESTAMP]: 19,
  [ColumnType.NEWDECIMAL]: 66,
  [ColumnType.BLOB]: 65535,
  [ColumnType.NULL]: 0,
};

export function defaultCharacterSet(type: number): number {
  return CHARACTER_TYPES.has(type) ? Charset.UTF8MB4_GENERAL_CI : Charset.BINARY;
}

function defaultDecimals(type: number): number {
  return type === ColumnType.FLOAT || type === ColumnType.DOUBLE ? 31 : 0;
}

/** What `writeOk` takes: OkPacket's fields, counts as number or bigint, all optional (0 / ''). */
export interface OkInput {
  readonly affectedRows?: number | bigint;
  readonly lastInsertId?: number | bigint;
  readonly statusFlags?: number;
  readonly warnings?: number;
  readonly info?: string;
}

/** Writes a whole OK packet (begin..end). `header` is 0x00, or 0xfe when it ends a result set under DEPRECATE_EOF. */
export function writeOk(writer: PacketWriter, ok: OkInput, header = 0x00): void {
  writer.begin().u8(header).lenencInt(ok.affectedRows ?? 0).lenencInt(ok.lastInsertId ?? 0).u16(ok.statusFlags ?? 0).u16(ok.warnings ?? 0);
  // The protocol documents info as "string<EOF>" without CLIENT_SESSION_TRACK, but MySQL
  // and MariaDB servers write it length-encoded (net_store_data), and libmariadb (the
  // mariadb CLI, sysbench) reads it that way: a bare string fails there with 2027.
  if (ok.info !== undefined && ok.info !== '') writer.lenencString(ok.info);
  writer.end();
}

/** Writes an ERR packet: errno, '#', 5-character SQLSTATE, message. */
export function writeErr(writer: PacketWriter, errno: number, sqlState: string, message: string): void {
  const state = (sqlState + 'HY000').slice(0, 5);
  writer.begin().u8(0xff).u16(errno).u8(0x23).string(state).string(message).end();
}

export function writeEof(writer: PacketWriter, statusFlags: number, warnings = 0): void {
  writer.begin().u8(0xfe).u16(warnings).u16(statusFlags).end();
}

const columnCache = new WeakMap<ColumnDefinition, Buffer>();

/** The payload of a Protocol::ColumnDefinition41 packet (cached per definition object). */
export function encodeColumnDefinition(column: ColumnDefinition): Buffer {
  const cached = columnCache.get(column);
  if (cached !== undefined) return cached;
  const w = new PacketWriter(128);
  w.lenencString('def')
    .lenencString(column.schema ?? '')
    .lenencString(column.table ?? '')
    .lenencString(column.orgTable ?? column.table ?? '')
    .lenencString(column.name)
    .lenencString(column.orgName ?? column.name)
    .u8(0x0c)
    .u16(column.characterSet ?? defaultCharacterSet(column.type))
    .u32(column.columnLength ?? DEFAULT_LENGTH[column.type] ?? 1020)
    .u8(column.type)
    .u16(column.flags ?? 0)
    .u8(column.decimals ?? defaultDecimals(column.type))
    .u16(0);
  const bytes = w.take();
  columnCache.set(column, bytes);
  return bytes;
}

export function writeColumnDefinition(writer: PacketWriter, column: ColumnDefinition): void {
  writer.begin().bytes(encodeColumnDefinition(column)).end();
}

export function readColumnDefinition(payload: Uint8Array): Required<ColumnDefinition> {
  const r = new PacketReader(payload);
  r.lenencBytes('catalog');
  const schema = r.lenencString('schema');
  const table = r.lenencString('table');
  const orgTable = r.lenencString('org_table');
  const name = r.lenencString('name');
  const orgName = r.lenencString('org_name');
  const fixed = r.lenencInt('fixed fields length')!;
  if (fixed < 0x0a) throw new MalformedPacketError(`column definition fixed-fields length ${fixed} < 10`);
  const characterSet = r.u16('character_set');
  const columnLength = r.u32('column_length');
  const type = r.u8('type');
  const flags = r.u16('flags');
  const decimals = r.u8('decimals');
  return { name, type, flags, characterSet, columnLength, decimals, schema, table, orgTable, orgName };
}

/** Writes a text-protocol row: each value length-encoded, NULL as 0xfb. */
export function writeTextRow(writer: PacketWriter, columns: readonly ColumnDefinition[], row: readonly WireValue[]): void {
  writer.begin();
  for (let i = 0; i < columns.length; i++) {
    const value = row[i];
    if (value === null || value === undefined) {
      writer.u8(0xfb);
      continue;
    }
    if (typeof value === 'string') {
      writer.lenencString(value);
      continue;
    }
    const column = columns[i]!;
    const text = valueToText(value, column.type, column.decimals ?? 0);
    if (typeof text === 'string') writer.lenencString(text);
    else writer.lenencBytes(text);
  }
  writer.end();
}

/** Writes a binary-protocol row: 0x00, NULL bitmap (offset 2), values in their binary forms. */
export function writeBinaryRow(writer: PacketWriter, columns: readonly ColumnDefinition[], row: readonly WireValue[]): void {
  writer.begin().u8(0x00);
  const n = columns.length;
  const bitmapBytes = (n + 7 + 2) >> 3;
  let byte = 0;
  let bit = 2;
  for (let i = 0; i < n; i++) {
    const value = row[i];
    if (value === null || value === undefined || columns[i]!.type === ColumnType.NULL) byte |= 1 << bit;
    bit += 1;
    if (bit === 8) {
      writer.u8(byte);
      byte = 0;
      bit = 0;
    }
  }
  if (bit !== 0 || bitmapBytes === 0) writer.u8(byte);
  for (let i = 0; i < n; i++) {
    const value = row[i];
    const column = columns[i]!;
    if (value === null || value === undefined || column.type === ColumnType.NULL) continue;
    writeBinaryValue(writer, value, column.type);
  }
  writer.end();
}

export function readOk(payload: Uint8Array): OkPacket {
  const r = new PacketReader(payload);
  const header = r.u8('OK header');
  if (header !== 0x00 && header !== 0xfe) throw new MalformedPacketError(`OK packet header 0x${header.toString(16)}`);
  const affectedRows = r.lenencBigInt('affected_rows');
  const lastInsertId = r.lenencBigInt('last_insert_id');
  const statusFlags = r.atEnd() ? 0 : r.u16('status_flags');
  const warnings = r.atEnd() ? 0 : r.u16('warnings');
  const info = r.atEnd() ? '' : readInfo(r);
  return { affectedRows, lastInsertId, statusFlags, warnings, info };
}

/** Info as servers write it (length-encoded), or, from a server that follows the letter of the docs, the rest of the packet. */
function readInfo(r: PacketReader): string {
  const length = r.peekU8('info');
  if (length < 0xfb && length + 1 <= r.remaining) return r.lenencString('info');
  return r.restString();
}

export interface ErrPacket {
  readonly errno: number;
  readonly sqlState: string;
  readonly message: string;
}

export function readErr(payload: Uint8Array): ErrPacket {
  const r = new PacketReader(payload);
  if (r.u8('ERR header') !== 0xff) throw new MalformedPacketError('ERR packet does not start with 0xff');
  const errno = r.u16('error_code');
  let sqlState = 'HY000';
  if (!r.atEnd() && r.peekU8('sql_state_marker') === 0x23) {
    r.skip(1, 'sql_state_marker');
    sqlState = r.bytes(5, 'sql_state').toString('latin1');
  }
  return { errno, sqlState, message: r.restString() };
}

export function readEof(payload: Uint8Array): { warnings: number; statusFlags: number } {
  const r = new PacketReader(payload);
  if (r.u8('EOF header') !== 0xfe) throw new MalformedPacketError('EOF packet does not start with 0xfe');
  return { warnings: r.u16('warnings'), statusFlags: r.u16('status_flags') };
}

/** A text-protocol row: raw bytes per column, null for NULL. */
export function readTextRow(payload: Uint8Array, columnCount: number): (Buffer | null)[] {
  const r = new PacketReader(payload);
  const row: (Buffer | null)[] = new Array<Buffer | null>(columnCount);
  for (let i = 0; i < columnCount; i++) row[i] = r.lenencBytesOrNull(`column ${i}`);
  if (!r.atEnd()) throw new MalformedPacketError(`text row has ${r.remaining} bytes after ${columnCount} columns`);
  return row;
}

/** True when `payload` is an EOF packet (0xfe and shorter than 9 bytes) rather than a row that starts with 0xfe. */
export function isEofPacket(payload: Uint8Array): boolean {
  return payload[0] === 0xfe && payload.length < 9;
}

/** True when `payload` is an OK-as-EOF that ends a result set under DEPRECATE_EOF. */
export function isResultSetEnd(payload: Uint8Array, deprecateEof: boolean): boolean {
  if (payload[0] !== 0xfe) return false;
  return deprecateEof ? payload.length < 0xffffff : payload.length < 9;
}

export function writeColumnCount(writer: PacketWriter, count: number): void {
  writer.begin().lenencInt(count).end();
}

/** Writes COM_STMT_PREPARE_OK's first packet. */
export function writePrepareOk(writer: PacketWriter, statementId: number, columnCount: number, paramCount: number, warnings = 0): void {
  writer.begin().u8(0x00).u32(statementId).u16(columnCount).u16(paramCount).u8(0).u16(warnings).end();
}
