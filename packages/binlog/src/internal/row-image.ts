import type { ColumnDef, ColumnValue, DateTimeValue } from '../column-types.js';
import { ColumnType } from '../column-types.js';
import { BinlogEncodeError } from '../errors/binlog-encode-error.js';
import type { RowImage } from '../events.js';
import type { ByteReader } from './byte-reader.js';
import { InvalidField } from './byte-reader.js';
import { type ByteWriter, utf8Bytes } from './byte-writer.js';

/** Thrown (internally) for a row of a table whose column type we do not decode. */
export class UnsupportedColumn extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

const INT_BYTES = { tinyint: 1, smallint: 2, mediumint: 3, int: 4 } as const;

/** Type byte of a column definition. */
export function columnTypeCode(column: ColumnDef): number {
  switch (column.type) {
    case 'tinyint':
      return ColumnType.TINY;
    case 'smallint':
      return ColumnType.SHORT;
    case 'mediumint':
      return ColumnType.INT24;
    case 'int':
      return ColumnType.LONG;
    case 'bigint':
      return ColumnType.LONGLONG;
    case 'float':
      return ColumnType.FLOAT;
    case 'double':
      return ColumnType.DOUBLE;
    case 'varchar':
      return ColumnType.VARCHAR;
    case 'char':
      return ColumnType.STRING;
    case 'blob':
      return ColumnType.BLOB;
    case 'datetime':
      return ColumnType.DATETIME2;
    case 'unsupported':
      return column.typeCode;
  }
}

export function writeColumnMetadata(w: ByteWriter, column: ColumnDef): void {
  switch (column.type) {
    case 'float':
      w.u8(4);
      return;
    case 'double':
      w.u8(8);
      return;
    case 'varchar':
      if (!Number.isInteger(column.maxBytes) || column.maxBytes < 0 || column.maxBytes > 0xffff) throw new BinlogEncodeError(`VARCHAR max length ${column.maxBytes} is not 0..65535`);
      w.u16(column.maxBytes);
      return;
    case 'char': {
      const n = column.maxBytes;
      if (!Number.isInteger(n) || n < 0 || n > 1023) throw new BinlogEncodeError(`CHAR field length ${n} is not 0..1023 bytes`);
      // Bits 8-9 of the length go, inverted, into bits 4-5 of the real-type byte.
      w.u8(ColumnType.STRING ^ ((n >> 4) & 0x30));
      w.u8(n & 0xff);
      return;
    }
    case 'blob':
      w.u8(column.lengthBytes);
      return;
    case 'datetime':
      if (!Number.isInteger(column.fsp) || column.fsp < 0 || column.fsp > 6) throw new BinlogEncodeError(`DATETIME precision ${column.fsp} is not 0..6`);
      w.u8(column.fsp);
      return;
    case 'unsupported':
      w.bytes(column.metadata);
      return;
    default:
      return;
  }
}

/** Metadata size of a type code we do not decode (0 when it has none or is unknown). */
function otherMetadataBytes(typeCode: number): number {
  switch (typeCode) {
    case 0: // DECIMAL
    case 16: // BIT
    case 246: // NEWDECIMAL
    case 247: // ENUM
    case 248: // SET
    case 253: // VAR_STRING
      return 2;
    case 17: // TIMESTAMP2
    case 19: // TIME2
    case 245: // JSON
    case 249: // TINY_BLOB
    case 250: // MEDIUM_BLOB
    case 251: // LONG_BLOB
    case 255: // GEOMETRY
      return 1;
    default:
      return 0;
  }
}

/** Reads one column's metadata and returns its definition (nullable filled in later). */
export function readColumnDef(r: ByteReader, typeCode: number, nullable: boolean): ColumnDef {
  switch (typeCode) {
    case ColumnType.TINY:
      return { type: 'tinyint', unsigned: false, nullable };
    case ColumnType.SHORT:
      return { type: 'smallint', unsigned: false, nullable };
    case ColumnType.INT24:
      return { type: 'mediumint', unsigned: false, nullable };
    case ColumnType.LONG:
      return { type: 'int', unsigned: false, nullable };
    case ColumnType.LONGLONG:
      return { type: 'bigint', unsigned: false, nullable };
    case ColumnType.FLOAT:
      r.u8();
      return { type: 'float', nullable };
    case ColumnType.DOUBLE:
      r.u8();
      return { type: 'double', nullable };
    case ColumnType.VARCHAR:
      return { type: 'varchar', maxBytes: r.u16(), nullable };
    case ColumnType.STRING: {
      const b0 = r.u8();
      const b1 = r.u8();
      let realType = b0;
      let length = b1;
      if ((b0 & 0x30) !== 0x30) {
        length = b1 | (((b0 & 0x30) ^ 0x30) << 4);
        realType = b0 | 0x30;
      }
      if (realType === ColumnType.STRING) return { type: 'char', maxBytes: length, nullable };
      return { type: 'unsupported', typeCode, metadata: Uint8Array.of(b0, b1), nullable };
    }
    case ColumnType.BLOB: {
      const lengthBytes = r.u8();
      if (lengthBytes < 1 || lengthBytes > 4) return { type: 'unsupported', typeCode, metadata: Uint8Array.of(lengthBytes), nullable };
      return { type: 'blob', lengthBytes: lengthBytes as 1 | 2 | 3 | 4, nullable };
    }
    case ColumnType.DATETIME2: {
      const fsp = r.u8();
      if (fsp > 6) return { type: 'unsupported', typeCode, metadata: Uint8Array.of(fsp), nullable };
      return { type: 'datetime', fsp, nullable };
    }
    default:
      return { type: 'unsupported', typeCode, metadata: r.copy(otherMetadataBytes(typeCode)), nullable };
  }
}

export function isNumericTypeCode(typeCode: number): boolean {
  return typeCode === 1 || typeCode === 2 || typeCode === 3 || typeCode === 4 || typeCode === 5 || typeCode === 8 || typeCode === 9 || typeCode === 246 || typeCode === 0;
}

const INT_RANGE = {
  tinyint: [-0x80, 0x7f, 0xff],
  smallint: [-0x8000, 0x7fff, 0xffff],
  mediumint: [-0x800000, 0x7fffff, 0xffffff],
  int: [-0x80000000, 0x7fffffff, 0xffffffff],
} as const;

function bytesOf(value: ColumnValue, index: number): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return utf8Bytes(value);
  throw new BinlogEncodeError(`column ${index + 1} needs bytes or a string, got ${typeof value}`);
}

function writeLength(w: ByteWriter, length: number, lengthBytes: number, max: number, index: number): void {
  if (length > max) throw new BinlogEncodeError(`column ${index + 1} value is ${length} bytes, more than its maximum ${max}`);
  w.uint(length, lengthBytes);
}

function isDateTime(value: ColumnValue): value is DateTimeValue {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array);
}

/** Packs DATETIME fields into DATETIME2's 5-byte integer (without the sign offset). */
function packDateTime(v: DateTimeValue): number {
  const ym = v.year * 13 + v.month;
  return ym * 0x400000 + ((v.day << 17) | (v.hour << 12) | (v.minute << 6) | v.second);
}

function checkDateTime(v: DateTimeValue, index: number): void {
  const ok =
    Number.isInteger(v.year) && v.year >= 0 && v.year <= 9999 &&
    Number.isInteger(v.month) && v.month >= 0 && v.month <= 12 &&
    Number.isInteger(v.day) && v.day >= 0 && v.day <= 31 &&
    Number.isInteger(v.hour) && v.hour >= 0 && v.hour <= 23 &&
    Number.isInteger(v.minute) && v.minute >= 0 && v.minute <= 59 &&
    Number.isInteger(v.second) && v.second >= 0 && v.second <= 59 &&
    Number.isInteger(v.microsecond) && v.microsecond >= 0 && v.microsecond <= 999999;
  if (!ok) throw new BinlogEncodeError(`column ${index + 1} DATETIME fields out of range`);
}

const FRACTION_DIVISOR = [1, 10000, 10000, 100, 100, 1, 1];

function writeValue(w: ByteWriter, column: ColumnDef, value: ColumnValue, index: number): void {
  switch (column.type) {
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
    case 'int': {
      const v = typeof value === 'bigint' ? Number(value) : value;
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new BinlogEncodeError(`column ${index + 1} (${column.type}) needs an integer`);
      const [min, max, umax] = INT_RANGE[column.type];
      if (column.unsigned ? v < 0 || v > umax : v < min || v > max) {
        throw new BinlogEncodeError(`column ${index + 1} value ${v} out of range for ${column.unsigned ? 'unsigned ' : ''}${column.type}`);
      }
      w.uint(v < 0 ? v + umax + 1 : v, INT_BYTES[column.type]);
      return;
    }
    case 'bigint': {
      const v = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
      if (typeof v !== 'bigint') throw new BinlogEncodeError(`column ${index + 1} (bigint) needs a bigint`);
      const ok = column.unsigned ? v >= 0n && v < 1n << 64n : v >= -(1n << 63n) && v < 1n << 63n;
      if (!ok) throw new BinlogEncodeError(`column ${index + 1} value ${v} out of range for ${column.unsigned ? 'unsigned ' : ''}bigint`);
      w.u64(BigInt.asUintN(64, v));
      return;
    }
    case 'float':
    case 'double':
      if (typeof value !== 'number') throw new BinlogEncodeError(`column ${index + 1} (${column.type}) needs a number`);
      if (column.type === 'double') w.f64(value);
      else w.f32(value);
      return;
    case 'varchar': {
      const data = bytesOf(value, index);
      writeLength(w, data.length, column.maxBytes < 256 ? 1 : 2, column.maxBytes, index);
      w.bytes(data);
      return;
    }
    case 'char': {
      const data = bytesOf(value, index);
      writeLength(w, data.length, column.maxBytes < 256 ? 1 : 2, column.maxBytes, index);
      w.bytes(data);
      return;
    }
    case 'blob': {
      const data = bytesOf(value, index);
      writeLength(w, data.length, column.lengthBytes, 2 ** (8 * column.lengthBytes) - 1, index);
      w.bytes(data);
      return;
    }
    case 'datetime': {
      if (!isDateTime(value)) throw new BinlogEncodeError(`column ${index + 1} (datetime) needs DATETIME fields`);
      checkDateTime(value, index);
      w.uintBE(packDateTime(value) + 0x8000000000, 5);
      const fracBytes = (column.fsp + 1) >> 1;
      if (fracBytes > 0) {
        // Digits past the column's precision are dropped, as the server does (truncation).
        const divisor = FRACTION_DIVISOR[column.fsp]!;
        const keep = 10 ** (6 - column.fsp);
        w.uintBE(Math.floor(Math.floor(value.microsecond / keep) * keep / divisor), fracBytes);
      }
      return;
    }
    case 'unsupported':
      throw new BinlogEncodeError(`column ${index + 1} has type code ${column.typeCode}, which this package does not encode`);
  }
}

/**
 * Writes one row image: the null bitmap over the present columns (unused high bits set,
 * as MariaDB does), then each present non-NULL value.
 */
export function writeRowImage(w: ByteWriter, columns: readonly ColumnDef[], present: readonly boolean[], row: RowImage): void {
  if (row.length !== columns.length) throw new BinlogEncodeError(`row has ${row.length} values for ${columns.length} columns`);
  let presentCount = 0;
  for (let i = 0; i < columns.length; i++) if (present[i]) presentCount++;
  const bitmapBytes = (presentCount + 7) >> 3;
  w.ensure(bitmapBytes);
  const bitmapAt = w.pos;
  w.zeros(bitmapBytes);
  let bit = 0;
  for (let i = 0; i < columns.length; i++) {
    if (!present[i]) continue;
    const value = row[i];
    if (value === undefined) throw new BinlogEncodeError(`column ${i + 1} is present in the image but has no value`);
    if (value === null) {
      if (!columns[i]!.nullable) throw new BinlogEncodeError(`column ${i + 1} is NOT NULL but the value is null`);
      w.buf[bitmapAt + (bit >> 3)]! |= 1 << (bit & 7);
    } else {
      writeValue(w, columns[i]!, value, i);
    }
    bit++;
  }
  for (let b = presentCount; b < bitmapBytes * 8; b++) w.buf[bitmapAt + (b >> 3)]! |= 1 << (b & 7);
}

const UNSIGNED_SPAN = { tinyint: 0x100, smallint: 0x10000, mediumint: 0x1000000, int: 0x100000000 } as const;
const SIGN_BIT = { tinyint: 0x80, smallint: 0x8000, mediumint: 0x800000, int: 0x80000000 } as const;

function readValue(r: ByteReader, column: ColumnDef): ColumnValue {
  switch (column.type) {
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
    case 'int': {
      const v = r.uint(INT_BYTES[column.type]);
      return !column.unsigned && v >= SIGN_BIT[column.type] ? v - UNSIGNED_SPAN[column.type] : v;
    }
    case 'bigint':
      return column.unsigned ? r.u64() : r.i64();
    case 'float':
      return r.f32();
    case 'double':
      return r.f64();
    case 'varchar':
    case 'char':
      return r.bytes(column.maxBytes < 256 ? r.u8() : r.u16());
    case 'blob':
      return r.bytes(r.uint(column.lengthBytes));
    case 'datetime': {
      const raw = r.uintBE(5) - 0x8000000000;
      if (raw < 0) throw new InvalidField('negative DATETIME');
      const ymd = Math.floor(raw / 0x20000);
      const ym = Math.floor(ymd / 32);
      const fracBytes = (column.fsp + 1) >> 1;
      const microsecond = fracBytes > 0 ? r.uintBE(fracBytes) * FRACTION_DIVISOR[column.fsp]! : 0;
      return {
        year: Math.floor(ym / 13),
        month: ym % 13,
        day: ymd % 32,
        hour: Math.floor(raw / 0x1000) % 32,
        minute: Math.floor(raw / 64) % 64,
        second: raw % 64,
        microsecond,
      };
    }
    case 'unsupported':
      throw new UnsupportedColumn(`column type ${column.typeCode} is not decoded by this package`);
  }
}

/** Reads one row image (see `writeRowImage`); absent columns are `undefined`. */
export function readRowImage(r: ByteReader, columns: readonly ColumnDef[], present: readonly boolean[], presentCount: number): (ColumnValue | undefined)[] {
  const bitmapAt = r.pos;
  r.need((presentCount + 7) >> 3);
  r.pos += (presentCount + 7) >> 3;
  const buf = r.buf;
  const row = new Array<ColumnValue | undefined>(columns.length);
  let bit = 0;
  for (let i = 0; i < columns.length; i++) {
    if (!present[i]) {
      row[i] = undefined;
      continue;
    }
    if ((buf[bitmapAt + (bit >> 3)]! & (1 << (bit & 7))) !== 0) row[i] = null;
    else row[i] = readValue(r, columns[i]!);
    bit++;
  }
  return row;
}
