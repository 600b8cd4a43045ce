import { ColumnFlag, ColumnType } from '../constants.js';
import { MalformedPacketError } from '../errors/malformed-packet-error.js';
import type { PacketReader } from './packet-reader.js';
import type { PacketWriter } from './packet-writer.js';

/** A DATE, DATETIME or TIMESTAMP value, field by field (no time zone is implied). */
export interface WireDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly microsecond: number;
}

/** A TIME value (an interval: it can be negative and exceed 24 hours). */
export interface WireTime {
  readonly negative: boolean;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
  readonly microseconds: number;
}

/**
 * A value in a result row or a statement parameter.
 * - integers: `number`, or `bigint` (LONGLONG parameters always decode as bigint);
 * - FLOAT/DOUBLE: `number`; DECIMAL: `string` (exact);
 * - character strings: `string`; binary strings and blobs: `Uint8Array`;
 * - DATE/DATETIME/TIMESTAMP: `WireDateTime` (or a 'YYYY-MM-DD[ hh:mm:ss[.ffffff]]' string in results);
 * - TIME: `WireTime` (or a '[-]h:mm:ss[.ffffff]' string in results); SQL NULL: `null`.
 */
export type WireValue = null | string | number | bigint | boolean | Uint8Array | WireDateTime | WireTime;

function isDateTime(value: object): value is WireDateTime {
  return 'year' in value;
}

function isTime(value: object): value is WireTime {
  return 'days' in value;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function formatDateTime(value: WireDateTime, type: number, decimals = 0): string {
  const date = `${pad(value.year, 4)}-${pad(value.month, 2)}-${pad(value.day, 2)}`;
  if (type === ColumnType.DATE || type === ColumnType.NEWDATE) return date;
  const time = `${date} ${pad(value.hour, 2)}:${pad(value.minute, 2)}:${pad(value.second, 2)}`;
  const digits = Math.min(6, decimals);
  if (digits > 0 && digits <= 6) return `${time}.${pad(value.microsecond, 6).slice(0, digits)}`;
  return time;
}

export function formatTime(value: WireTime, decimals = 0): string {
  const hours = value.days * 24 + value.hours;
  const text = `${value.negative ? '-' : ''}${pad(hours, 2)}:${pad(value.minutes, 2)}:${pad(value.seconds, 2)}`;
  const digits = Math.min(6, decimals);
  return digits > 0 ? `${text}.${pad(value.microseconds, 6).slice(0, digits)}` : text;
}

const DATETIME_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/;
const TIME_TEXT = /^(-)?(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** Parses 'YYYY-MM-DD[ hh:mm:ss[.ffffff]]'; throws RangeError on anything else. */
export function parseDateTime(text: string): WireDateTime {
  const m = DATETIME_TEXT.exec(text);
  if (m === null) throw new RangeError(`not a DATE/DATETIME value: '${text}'`);
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    microsecond: m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0')),
  };
}

/** Parses '[-]h:mm:ss[.ffffff]'; throws RangeError on anything else. */
export function parseTime(text: string): WireTime {
  const m = TIME_TEXT.exec(text);
  if (m === null) throw new RangeError(`not a TIME value: '${text}'`);
  const hours = Number(m[2]);
  return {
    negative: m[1] !== undefined,
    days: Math.floor(hours / 24),
    hours: hours % 24,
    minutes: Number(m[3]),
    seconds: Number(m[4]),
    microseconds: m[5] === undefined ? 0 : Number(m[5].padEnd(6, '0')),
  };
}

/** The text-protocol form of a non-null value for a column of `type`. */
export function valueToText(value: Exclude<WireValue, null>, type: number, decimals = 0): string | Uint8Array {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? '1' : '0';
    default:
      if (value instanceof Uint8Array) return value;
      if (isDateTime(value)) return formatDateTime(value, type, decimals);
      if (isTime(value)) return formatTime(value, decimals);
      throw new TypeError('unsupported value');
  }
}

function toNumber(value: Exclude<WireValue, null>): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') return Number(value);
  throw new TypeError('value is not numeric');
}

function toBigInt(value: Exclude<WireValue, null>): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (typeof value === 'string') return BigInt(value);
  throw new TypeError('value is not an integer');
}

function writeBinaryDateTime(writer: PacketWriter, value: WireDateTime, type: number): void {
  const hasTime = type !== ColumnType.DATE && type !== ColumnType.NEWDATE;
  if (hasTime && value.microsecond !== 0) {
    writer.u8(11).u16(value.year).u8(value.month).u8(value.day).u8(value.hour).u8(value.minute).u8(value.second).u32(value.microsecond);
  } else if (hasTime && (value.hour !== 0 || value.minute !== 0 || value.second !== 0)) {
    writer.u8(7).u16(value.year).u8(value.month).u8(value.day).u8(value.hour).u8(value.minute).u8(value.second);
  } else if (value.year !== 0 || value.month !== 0 || value.day !== 0) {
    writer.u8(4).u16(value.year).u8(value.month).u8(value.day);
  } else {
    writer.u8(0);
  }
}

function writeBinaryTime(writer: PacketWriter, value: WireTime): void {
  const zero = value.days === 0 && value.hours === 0 && value.minutes === 0 && value.seconds === 0;
  if (value.microseconds !== 0) {
    writer.u8(12).u8(value.negative ? 1 : 0).u32(value.days).u8(value.hours).u8(value.minutes).u8(value.seconds).u32(value.microseconds);
  } else if (!zero) {
    writer.u8(8).u8(value.negative ? 1 : 0).u32(value.days).u8(value.hours).u8(value.minutes).u8(value.seconds);
  } else {
    writer.u8(0);
  }
}

/**
 * Writes a non-null value in the binary-protocol form of a column of `type` (the form
 * COM_STMT_EXECUTE results and parameters use). REQUIRES: the value is convertible to
 * the type (numbers for numeric types, etc.); throws TypeError/RangeError otherwise.
 */
export function writeBinaryValue(writer: PacketWriter, value: Exclude<WireValue, null>, type: number): void {
  switch (type) {
    case ColumnType.TINY:
      writer.u8(toNumber(value) & 0xff);
      return;
    case ColumnType.SHORT:
    case ColumnType.YEAR:
      writer.u16(toNumber(value) & 0xffff);
      return;
    case ColumnType.LONG:
    case ColumnType.INT24:
      writer.u32(toNumber(value) >>> 0);
      return;
    case ColumnType.LONGLONG:
      writer.u64(BigInt.asUintN(64, toBigInt(value)));
      return;
    case ColumnType.FLOAT:
      writer.f32(toNumber(value));
      return;
    case ColumnType.DOUBLE:
      writer.f64(toNumber(value));
      return;
    case ColumnType.DATE:
    case ColumnType.NEWDATE:
    case ColumnType.DATETIME:
    case ColumnType.TIMESTAMP:
      writeBinaryDateTime(writer, typeof value === 'string' ? parseDateTime(value) : (value as WireDateTime), type);
      return;
    case ColumnType.TIME:
      writeBinaryTime(writer, typeof value === 'string' ? parseTime(value) : (value as WireTime));
      return;
    default: {
      if (typeof value === 'string') {
        writer.lenencString(value);
        return;
      }
      const text = valueToText(value, type);
      if (typeof text === 'string') writer.lenencString(text);
      else writer.lenencBytes(text);
    }
  }
}

function readBinaryDateTime(reader: PacketReader, field: string): WireDateTime {
  const length = reader.u8(field);
  if (length !== 0 && length !== 4 && length !== 7 && length !== 11) {
    throw new MalformedPacketError(`${field} has invalid DATETIME length ${length} at offset ${reader.offset - 1}`);
  }
  const year = length >= 4 ? reader.u16(field) : 0;
  const month = length >= 4 ? reader.u8(field) : 0;
  const day = length >= 4 ? reader.u8(field) : 0;
  const hour = length >= 7 ? reader.u8(field) : 0;
  const minute = length >= 7 ? reader.u8(field) : 0;
  const second = length >= 7 ? reader.u8(field) : 0;
  const microsecond = length === 11 ? reader.u32(field) : 0;
  return { year, month, day, hour, minute, second, microsecond };
}

function readBinaryTime(reader: PacketReader, field: string): WireTime {
  const length = reader.u8(field);
  if (length !== 0 && length !== 8 && length !== 12) {
    throw new MalformedPacketError(`${field} has invalid TIME length ${length} at offset ${reader.offset - 1}`);
  }
  if (length === 0) return { negative: false, days: 0, hours: 0, minutes: 0, seconds: 0, microseconds: 0 };
  const negative = reader.u8(field) !== 0;
  const days = reader.u32(field);
  const hours = reader.u8(field);
  const minutes = reader.u8(field);
  const seconds = reader.u8(field);
  const microseconds = length === 12 ? reader.u32(field) : 0;
  return { negative, days, hours, minutes, seconds, microseconds };
}

/**
 * Reads one binary-protocol value of `type` (as sent in COM_STMT_EXECUTE parameters or
 * binary result rows). `unsigned` comes from the parameter's flag byte (0x80) or the
 * column's UNSIGNED flag. LONGLONG always decodes as bigint; smaller integers as number.
 */
export function readBinaryValue(reader: PacketReader, type: number, unsigned: boolean, field: string): WireValue {
  switch (type) {
    case ColumnType.NULL:
      return null;
    case ColumnType.TINY:
      return unsigned ? reader.u8(field) : reader.i8(field);
    case ColumnType.SHORT:
    case ColumnType.YEAR:
      return unsigned ? reader.u16(field) : reader.i16(field);
    case ColumnType.LONG:
    case ColumnType.INT24:
      return unsigned ? reader.u32(field) : reader.i32(field);
    case ColumnType.LONGLONG:
      return unsigned ? reader.u64(field) : reader.i64(field);
    case ColumnType.FLOAT:
      return reader.f32(field);
    case ColumnType.DOUBLE:
      return reader.f64(field);
    case ColumnType.DATE:
    case ColumnType.NEWDATE:
    case ColumnType.DATETIME:
    case ColumnType.TIMESTAMP:
      return readBinaryDateTime(reader, field);
    case ColumnType.TIME:
      return readBinaryTime(reader, field);
    case ColumnType.DECIMAL:
    case ColumnType.NEWDECIMAL:
    case ColumnType.VARCHAR:
    case ColumnType.VAR_STRING:
    case ColumnType.STRING:
    case ColumnType.ENUM:
    case ColumnType.SET:
    case ColumnType.JSON:
      return reader.lenencString(field);
    case ColumnType.TINY_BLOB:
    case ColumnType.MEDIUM_BLOB:
    case ColumnType.LONG_BLOB:
    case ColumnType.BLOB:
    case ColumnType.GEOMETRY:
    case ColumnType.BIT:
      return reader.lenencBytes(field);
    default:
      throw new MalformedPacketError(`${field} has unknown type ${type} at offset ${reader.offset}`);
  }
}

/** Whether the column flags say UNSIGNED. */
export function isUnsigned(flags: number): boolean {
  return (flags & ColumnFlag.UNSIGNED) !== 0;
}
