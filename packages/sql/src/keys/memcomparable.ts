import { invariant } from '@lockstep/base';
import { StoredBytesCorruptError } from '../errors/stored-bytes-corrupt-error.js';
import type { ColumnType } from '../types/column-type.js';
import { SqlDateTime } from '../types/datetime.js';
import { type SqlValue, utf8DecodeStrict } from '../types/sql-value.js';
import type { ByteWriter } from './byte-writer.js';

/**
 * Memcomparable encoding of one key column: comparing the encoded bytes with a plain
 * bytewise compare gives the SQL order of the values (binary collation).
 *
 * - Nullable column: a marker byte first, 0x00 for NULL (sorts first), 0x01 for a value.
 *   NOT NULL columns have no marker.
 * - Integers: fixed width big-endian; signed ones have the sign bit flipped
 *   (value + 2^(bits-1)).
 * - DOUBLE: IEEE 754 big-endian; positive numbers get the sign bit set, negative numbers
 *   have every bit inverted; -0 is stored as +0.
 * - Strings (UTF-8) and bytes: each 0x00 byte becomes 0x00 0xFF, then the terminator
 *   0x00 0x01. A string that is a prefix of another ends with 0x00 0x01 where the longer
 *   one has a byte >= 0x01 (or 0x00 0xFF), so prefix order is kept and each encoding is
 *   self-delimiting (a whole-column prefix of a key is a byte prefix of the key).
 * - DATETIME: 8 bytes big-endian: packed date (22 bits) << 41 | packed time (17 bits) << 24 |
 *   microseconds (24 bits).
 */
export interface KeyPart {
  readonly type: ColumnType;
  readonly nullable: boolean;
}

const NULL_MARKER = 0x00;
const VALUE_MARKER = 0x01;
const ESCAPE_FOLLOW = 0xff;
const TERMINATOR_FOLLOW = 0x01;

export function encodeKeyPart(writer: ByteWriter, part: KeyPart, value: SqlValue): void {
  if (part.nullable) {
    if (value === null) {
      writer.u8(NULL_MARKER);
      return;
    }
    writer.u8(VALUE_MARKER);
  } else {
    invariant(value !== null, 'NULL in a NOT NULL key column');
  }
  const type = part.type;
  switch (type.kind) {
    case 'int':
      if (type.bytes === 8) {
        invariant(typeof value === 'bigint', 'BIGINT key value must be a bigint');
        writer.u64BE(type.unsigned ? value : value + 0x8000000000000000n);
      } else {
        invariant(typeof value === 'number', 'integer key value must be a number');
        writer.uintBE(type.unsigned ? value : value + 2 ** (type.bytes * 8 - 1), type.bytes);
      }
      return;
    case 'double': {
      invariant(typeof value === 'number', 'DOUBLE key value must be a number');
      encodeDouble(writer, value);
      return;
    }
    case 'datetime': {
      invariant(value instanceof SqlDateTime, 'DATETIME key value must be a SqlDateTime');
      writer.uintBE(value.packedDate() * 2 ** 17 + value.packedTime(), 5);
      writer.uintBE(value.microsecond, 3);
      return;
    }
    case 'char':
    case 'varchar':
    case 'text':
      invariant(typeof value === 'string', 'string key value must be a string');
      encodeString(writer, value);
      return;
    case 'binary':
    case 'varbinary':
    case 'blob':
      invariant(value instanceof Uint8Array, 'bytes key value must be a Uint8Array');
      encodeEscapedBytes(writer, value);
      return;
  }
}

function encodeDouble(writer: ByteWriter, value: number): void {
  const start = writer.length;
  writer.f64BE(value === 0 ? 0 : value);
  const b = writer.bytes;
  if ((b[start]! & 0x80) !== 0) {
    for (let i = start; i < start + 8; i++) b[i] = ~b[i]! & 0xff;
  } else {
    b[start] = b[start]! | 0x80;
  }
}

const encoder = new TextEncoder();

/** Strings up to this length take the per-character path; longer ones TextEncoder (native). */
const SHORT_STRING = 16;

function encodeString(writer: ByteWriter, text: string): void {
  if (text.length > SHORT_STRING) {
    const max = text.length * 3;
    writer.ensure(max + 2);
    const start = writer.length;
    const { written } = encoder.encodeInto(text, writer.bytes.subarray(start, start + max));
    const b = writer.bytes;
    const end = start + written;
    for (let i = start; i < end; i++) {
      if (b[i] === 0) {
        encodeEscapedBytes(writer, encoder.encode(text)); // rare: NUL inside, escape it
        return;
      }
    }
    b[end] = 0x00;
    b[end + 1] = TERMINATOR_FOLLOW;
    writer.length = end + 2;
    return;
  }
  // Short ASCII without NUL: one byte per character, no escapes.
  writer.ensure(text.length + 2);
  const b = writer.bytes;
  let pos = writer.length;
  let i = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c >= 0x80) break;
    b[pos++] = c;
  }
  if (i === text.length) {
    b[pos++] = 0x00;
    b[pos++] = TERMINATOR_FOLLOW;
    writer.length = pos;
    return;
  }
  writer.length = pos;
  encodeEscapedBytes(writer, encoder.encode(text.slice(i)));
}

function encodeEscapedBytes(writer: ByteWriter, bytes: Uint8Array): void {
  writer.ensure(bytes.length * 2 + 2);
  const b = writer.bytes;
  let pos = writer.length;
  for (let i = 0; i < bytes.length; i++) {
    const v = bytes[i]!;
    b[pos++] = v;
    if (v === 0) b[pos++] = ESCAPE_FOLLOW;
  }
  b[pos++] = 0x00;
  b[pos++] = TERMINATOR_FOLLOW;
  writer.length = pos;
}

/** Decodes one key column at `offset`; returns the value and the offset after it. */
export function decodeKeyPart(bytes: Uint8Array, offset: number, part: KeyPart, what: string): { value: SqlValue; next: number } {
  let pos = offset;
  if (part.nullable) {
    need(bytes, pos, 1, what);
    const marker = bytes[pos++]!;
    if (marker === NULL_MARKER) return { value: null, next: pos };
    if (marker !== VALUE_MARKER) throw new StoredBytesCorruptError(what, pos - 1, `bad NULL marker 0x${marker.toString(16)}`);
  }
  const type = part.type;
  switch (type.kind) {
    case 'int': {
      need(bytes, pos, type.bytes, what);
      if (type.bytes === 8) {
        const view = new DataView(bytes.buffer, bytes.byteOffset + pos, 8);
        const raw = view.getBigUint64(0, false);
        return { value: type.unsigned ? raw : raw - 0x8000000000000000n, next: pos + 8 };
      }
      let u = 0;
      for (let i = 0; i < type.bytes; i++) u = u * 256 + bytes[pos + i]!;
      return { value: type.unsigned ? u : u - 2 ** (type.bytes * 8 - 1), next: pos + type.bytes };
    }
    case 'double': {
      need(bytes, pos, 8, what);
      const copy = bytes.slice(pos, pos + 8);
      if ((copy[0]! & 0x80) !== 0) copy[0] = copy[0]! & 0x7f;
      else for (let i = 0; i < 8; i++) copy[i] = ~copy[i]! & 0xff;
      return { value: new DataView(copy.buffer).getFloat64(0, false), next: pos + 8 };
    }
    case 'datetime': {
      need(bytes, pos, 8, what);
      let high = 0;
      for (let i = 0; i < 5; i++) high = high * 256 + bytes[pos + i]!;
      const micro = (bytes[pos + 5]! << 16) | (bytes[pos + 6]! << 8) | bytes[pos + 7]!;
      const packedDate = Math.floor(high / 2 ** 17);
      const packedTime = high % 2 ** 17;
      const value = SqlDateTime.fromPacked(packedDate, packedTime, micro, type.fsp);
      if (value === undefined) throw new StoredBytesCorruptError(what, pos, 'invalid DATETIME');
      return { value, next: pos + 8 };
    }
    case 'char':
    case 'varchar':
    case 'text':
    case 'binary':
    case 'varbinary':
    case 'blob': {
      const { raw, next } = decodeEscaped(bytes, pos, what);
      if (type.kind === 'binary' || type.kind === 'varbinary' || type.kind === 'blob') return { value: raw, next };
      const text = utf8DecodeStrict(raw);
      if (text === undefined) throw new StoredBytesCorruptError(what, pos, 'string is not valid UTF-8');
      return { value: text, next };
    }
  }
}

function decodeEscaped(bytes: Uint8Array, offset: number, what: string): { raw: Uint8Array; next: number } {
  // First pass finds the terminator and counts escapes so the result is allocated once.
  let pos = offset;
  let escapes = 0;
  for (;;) {
    if (pos >= bytes.length) throw new StoredBytesCorruptError(what, pos, 'string without terminator');
    if (bytes[pos] === 0) {
      if (pos + 1 >= bytes.length) throw new StoredBytesCorruptError(what, pos, 'truncated escape');
      const follow = bytes[pos + 1];
      if (follow === TERMINATOR_FOLLOW) break;
      if (follow !== ESCAPE_FOLLOW) throw new StoredBytesCorruptError(what, pos + 1, `bad escape 0x${follow!.toString(16)}`);
      escapes++;
      pos += 2;
    } else pos++;
  }
  const end = pos;
  if (escapes === 0) return { raw: bytes.slice(offset, end), next: end + 2 };
  const raw = new Uint8Array(end - offset - escapes);
  let w = 0;
  for (let i = offset; i < end; i++) {
    raw[w++] = bytes[i]!;
    if (bytes[i] === 0) i++;
  }
  return { raw, next: end + 2 };
}

function need(bytes: Uint8Array, pos: number, n: number, what: string): void {
  if (pos + n > bytes.length) throw new StoredBytesCorruptError(what, pos, `needs ${n} bytes, ${bytes.length - pos} left`);
}
