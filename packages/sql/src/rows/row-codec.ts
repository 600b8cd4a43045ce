import { invariant } from '@lockstep/base';
import { StoredBytesCorruptError } from '../errors/stored-bytes-corrupt-error.js';
import { ByteWriter } from '../keys/byte-writer.js';
import type { ColumnType } from '../types/column-type.js';
import { SqlDateTime } from '../types/datetime.js';
import type { SqlValue } from '../types/sql-value.js';

/**
 * The stored value of a table row (the kv value under its primary key). Layout (FORMAT.md):
 *
 *   varint  schema version of the table when the row was written
 *   bytes   null bitmap: one bit per NULLABLE column in column order, LSB first,
 *           ceil(nullableColumns / 8) bytes (no bytes when no column is nullable)
 *   then each non-NULL column in column order:
 *     TINYINT..INT   1/2/3/4 bytes little-endian two's complement (unsigned: plain)
 *     BIGINT         8 bytes little-endian
 *     DOUBLE         8 bytes IEEE 754 little-endian
 *     DATETIME       8 bytes: packed date/time (5 bytes) and microseconds (3 bytes), big-endian
 *     strings/bytes  varint byte length, then the bytes (strings as UTF-8)
 *
 * Every column is stored, primary key columns included, so a row decodes from its value
 * alone (binlog row images need all columns). The version byte lets ALTER TABLE change the
 * layout later: a reader picks the layout by version; this codec knows one layout and
 * rejects others with StoredBytesCorruptError.
 */
export interface RowColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
}

/** Bound on one string/bytes value in a row (LONGTEXT's 4 GiB is not supported in memory). */
export const MAX_ROW_VALUE_BYTES = 64 * 1024 * 1024;

/** Strings up to this many bytes are copied by hand when ASCII; longer ones go through TextEncoder/TextDecoder (native, faster past that). */
const SHORT_STRING_BYTES = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class RowCodec {
  readonly schemaVersion: number;
  private readonly columns: readonly RowColumn[];
  private readonly nullBit: readonly number[];
  private readonly bitmapBytes: number;
  private readonly writer = new ByteWriter(256);
  private readonly what: string;

  constructor(columns: readonly RowColumn[], schemaVersion: number, what = 'row') {
    invariant(Number.isInteger(schemaVersion) && schemaVersion >= 0, 'schema version is a non-negative integer');
    this.columns = columns;
    this.schemaVersion = schemaVersion;
    this.what = what;
    let n = 0;
    this.nullBit = columns.map((c) => (c.nullable ? n++ : -1));
    this.bitmapBytes = Math.ceil(n / 8);
  }

  /** Encodes a row of already coerced values, one per column. */
  encode(row: readonly SqlValue[]): Uint8Array {
    invariant(row.length === this.columns.length, 'row has one value per column');
    const w = this.writer;
    w.reset();
    w.varint(this.schemaVersion);
    const bitmapAt = w.length;
    w.ensure(this.bitmapBytes);
    w.bytes.fill(0, bitmapAt, bitmapAt + this.bitmapBytes);
    w.length += this.bitmapBytes;
    for (let i = 0; i < this.columns.length; i++) {
      const value = row[i] ?? null;
      if (value === null) {
        const bit = this.nullBit[i]!;
        invariant(bit >= 0, () => `NULL in NOT NULL column ${this.columns[i]!.name}`);
        w.bytes[bitmapAt + (bit >> 3)] = w.bytes[bitmapAt + (bit >> 3)]! | (1 << (bit & 7));
        continue;
      }
      writeValue(w, this.columns[i]!, value);
    }
    return w.finish();
  }

  /** Decodes a row; StoredBytesCorruptError names the byte offset of anything malformed. */
  decode(bytes: Uint8Array): SqlValue[] {
    let pos = 0;
    let version = 0;
    let shift = 1;
    for (;;) {
      if (pos >= bytes.length || pos > 4) throw new StoredBytesCorruptError(this.what, pos, 'bad schema version varint');
      const b = bytes[pos++]!;
      version += (b & 0x7f) * shift;
      if (b < 0x80) break;
      shift *= 0x80;
    }
    if (version !== this.schemaVersion) throw new StoredBytesCorruptError(this.what, 0, `row has schema version ${version}, table has ${this.schemaVersion}`);
    const bitmapAt = pos;
    pos += this.bitmapBytes;
    if (pos > bytes.length) throw new StoredBytesCorruptError(this.what, bitmapAt, 'truncated null bitmap');
    const row: SqlValue[] = new Array<SqlValue>(this.columns.length);
    for (let i = 0; i < this.columns.length; i++) {
      const bit = this.nullBit[i]!;
      if (bit >= 0 && (bytes[bitmapAt + (bit >> 3)]! & (1 << (bit & 7))) !== 0) {
        row[i] = null;
        continue;
      }
      pos = readValue(bytes, pos, this.columns[i]!, row, i, this.what);
    }
    if (pos !== bytes.length) throw new StoredBytesCorruptError(this.what, pos, `${bytes.length - pos} trailing bytes`);
    return row;
  }
}

function writeValue(w: ByteWriter, column: RowColumn, value: Exclude<SqlValue, null>): void {
  const type = column.type;
  switch (type.kind) {
    case 'int': {
      if (type.bytes === 8) {
        invariant(typeof value === 'bigint', 'BIGINT value is a bigint');
        w.ensure(8);
        new DataView(w.bytes.buffer, w.bytes.byteOffset).setBigUint64(w.length, BigInt.asUintN(64, value), true);
        w.length += 8;
        return;
      }
      invariant(typeof value === 'number', 'integer value is a number');
      let u = value < 0 ? value + 2 ** (type.bytes * 8) : value;
      w.ensure(type.bytes);
      for (let i = 0; i < type.bytes; i++) {
        w.bytes[w.length++] = u & 0xff;
        u = Math.floor(u / 256);
      }
      return;
    }
    case 'double':
      invariant(typeof value === 'number', 'DOUBLE value is a number');
      w.f64LE(value);
      return;
    case 'datetime':
      invariant(value instanceof SqlDateTime, 'DATETIME value is a SqlDateTime');
      w.uintBE(value.packedDate() * 2 ** 17 + value.packedTime(), 5);
      w.uintBE(value.microsecond, 3);
      return;
    case 'char':
    case 'varchar':
    case 'text': {
      invariant(typeof value === 'string', 'string value is a string');
      writeString(w, value);
      return;
    }
    case 'binary':
    case 'varbinary':
    case 'blob':
      invariant(value instanceof Uint8Array, 'bytes value is a Uint8Array');
      w.varint(value.length);
      w.raw(value);
      return;
  }
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/**
 * Length-prefixed UTF-8 without measuring the string first: room for the longest possible
 * encoding (3 bytes per UTF-16 unit) and its length prefix is reserved, TextEncoder writes
 * in place, and the bytes move left when the real length needs a shorter prefix.
 */
function writeString(w: ByteWriter, text: string): void {
  const n = text.length;
  if (n <= SHORT_STRING_BYTES) {
    // Short ASCII strings: a plain loop beats the TextEncoder call.
    let ascii = true;
    for (let i = 0; i < n; i++) {
      if (text.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      w.ensure(n + 1);
      const b = w.bytes;
      let pos = w.length;
      b[pos++] = n;
      for (let i = 0; i < n; i++) b[pos++] = text.charCodeAt(i);
      w.length = pos;
      return;
    }
  }
  const maxBytes = n * 3;
  const reserved = varintSize(maxBytes);
  w.ensure(reserved + maxBytes);
  const start = w.length + reserved;
  const { written } = encoder.encodeInto(text, w.bytes.subarray(start, start + maxBytes));
  const prefix = varintSize(written);
  if (prefix < reserved) w.bytes.copyWithin(w.length + prefix, start, start + written);
  w.varint(written);
  w.length += written;
}

function readValue(bytes: Uint8Array, pos: number, column: RowColumn, row: SqlValue[], index: number, what: string): number {
  const type = column.type;
  switch (type.kind) {
    case 'int': {
      need(bytes, pos, type.bytes, what, column);
      if (type.bytes === 8) {
        const raw = new DataView(bytes.buffer, bytes.byteOffset + pos, 8).getBigUint64(0, true);
        row[index] = type.unsigned ? raw : BigInt.asIntN(64, raw);
        return pos + 8;
      }
      let u = 0;
      for (let i = type.bytes - 1; i >= 0; i--) u = u * 256 + bytes[pos + i]!;
      const half = 2 ** (type.bytes * 8 - 1);
      row[index] = !type.unsigned && u >= half ? u - 2 * half : u;
      return pos + type.bytes;
    }
    case 'double':
      need(bytes, pos, 8, what, column);
      row[index] = new DataView(bytes.buffer, bytes.byteOffset + pos, 8).getFloat64(0, true);
      return pos + 8;
    case 'datetime': {
      need(bytes, pos, 8, what, column);
      let high = 0;
      for (let i = 0; i < 5; i++) high = high * 256 + bytes[pos + i]!;
      const micro = (bytes[pos + 5]! << 16) | (bytes[pos + 6]! << 8) | bytes[pos + 7]!;
      const value = SqlDateTime.fromPacked(Math.floor(high / 2 ** 17), high % 2 ** 17, micro, type.fsp);
      if (value === undefined) throw new StoredBytesCorruptError(what, pos, `invalid DATETIME in column ${column.name}`);
      row[index] = value;
      return pos + 8;
    }
    default: {
      const start = pos;
      let length = 0;
      let shift = 1;
      for (;;) {
        if (pos >= bytes.length || pos - start > 4) throw new StoredBytesCorruptError(what, start, `bad length of column ${column.name}`);
        const b = bytes[pos++]!;
        length += (b & 0x7f) * shift;
        if (b < 0x80) break;
        shift *= 0x80;
      }
      if (length > MAX_ROW_VALUE_BYTES) throw new StoredBytesCorruptError(what, start, `column ${column.name} length ${length} exceeds ${MAX_ROW_VALUE_BYTES}`);
      need(bytes, pos, length, what, column);
      const end = pos + length;
      if (type.kind === 'binary' || type.kind === 'varbinary' || type.kind === 'blob') {
        row[index] = bytes.slice(pos, end);
        return end;
      }
      row[index] = decodeUtf8(bytes, pos, end, what, column);
      return end;
    }
  }
}

function decodeUtf8(bytes: Uint8Array, start: number, end: number, what: string, column: RowColumn): string {
  if (end - start <= SHORT_STRING_BYTES) {
    let s = '';
    let i = start;
    for (; i < end; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) break;
      s += String.fromCharCode(c);
    }
    if (i === end) return s;
  }
  try {
    return decoder.decode(bytes.subarray(start, end));
  } catch (error) {
    throw new StoredBytesCorruptError(what, start, `column ${column.name} is not valid UTF-8: ${String(error)}`);
  }
}

function need(bytes: Uint8Array, pos: number, n: number, what: string, column: RowColumn): void {
  if (pos + n > bytes.length) throw new StoredBytesCorruptError(what, pos, `column ${column.name} needs ${n} bytes, ${bytes.length - pos} left`);
}
