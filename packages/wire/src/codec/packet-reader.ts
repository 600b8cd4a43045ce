import { MalformedPacketError } from '../errors/malformed-packet-error.js';

/**
 * Bounds-checked reads over one packet payload. Every read that would run past the end
 * throws `MalformedPacketError` naming the field and its offset, so a truncated or lying
 * packet becomes a typed error, never a RangeError or a wrong value.
 */
export class PacketReader {
  readonly buffer: Buffer;
  offset: number;
  readonly end: number;

  constructor(payload: Uint8Array, offset = 0) {
    this.buffer = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    this.offset = offset;
    this.end = this.buffer.length;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  atEnd(): boolean {
    return this.offset >= this.end;
  }

  #need(bytes: number, field: string): number {
    const at = this.offset;
    if (at + bytes > this.end) {
      throw new MalformedPacketError(`${field} needs ${bytes} bytes at offset ${at}, packet has ${this.end - at} left`);
    }
    this.offset = at + bytes;
    return at;
  }

  u8(field: string): number {
    return this.buffer[this.#need(1, field)]!;
  }

  peekU8(field: string): number {
    if (this.offset >= this.end) throw new MalformedPacketError(`${field} missing at offset ${this.offset}`);
    return this.buffer[this.offset]!;
  }

  i8(field: string): number {
    return this.buffer.readInt8(this.#need(1, field));
  }

  u16(field: string): number {
    return this.buffer.readUInt16LE(this.#need(2, field));
  }

  i16(field: string): number {
    return this.buffer.readInt16LE(this.#need(2, field));
  }

  u24(field: string): number {
    return this.buffer.readUIntLE(this.#need(3, field), 3);
  }

  u32(field: string): number {
    return this.buffer.readUInt32LE(this.#need(4, field));
  }

  i32(field: string): number {
    return this.buffer.readInt32LE(this.#need(4, field));
  }

  u64(field: string): bigint {
    return this.buffer.readBigUInt64LE(this.#need(8, field));
  }

  i64(field: string): bigint {
    return this.buffer.readBigInt64LE(this.#need(8, field));
  }

  f32(field: string): number {
    return this.buffer.readFloatLE(this.#need(4, field));
  }

  f64(field: string): number {
    return this.buffer.readDoubleLE(this.#need(8, field));
  }

  /**
   * A length-encoded integer. Returns null for the NULL marker (0xfb) only when
   * `allowNull`; 0xff (an ERR marker) is always malformed here. Values above 2^53 are
   * malformed: lengths and counts this package reads never get near that.
   */
  lenencInt(field: string, allowNull = false): number | null {
    const first = this.u8(field);
    if (first < 0xfb) return first;
    switch (first) {
      case 0xfb:
        if (allowNull) return null;
        throw new MalformedPacketError(`${field} is NULL (0xfb) at offset ${this.offset - 1}`);
      case 0xfc:
        return this.u16(field);
      case 0xfd:
        return this.u24(field);
      case 0xfe: {
        const big = this.u64(field);
        if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new MalformedPacketError(`${field} length ${big} is out of range at offset ${this.offset - 9}`);
        return Number(big);
      }
      default:
        throw new MalformedPacketError(`${field} has invalid length prefix 0xff at offset ${this.offset - 1}`);
    }
  }

  /** A length-encoded integer as bigint (affected rows, insert ids). */
  lenencBigInt(field: string): bigint {
    const first = this.peekU8(field);
    if (first === 0xfe) {
      this.offset += 1;
      return this.u64(field);
    }
    return BigInt(this.lenencInt(field)!);
  }

  bytes(length: number, field: string): Buffer {
    const at = this.#need(length, field);
    return this.buffer.subarray(at, at + length);
  }

  lenencBytes(field: string): Buffer {
    const length = this.lenencInt(field)!;
    return this.bytes(length, field);
  }

  /** A length-encoded string, or null for the NULL marker (text result rows). */
  lenencBytesOrNull(field: string): Buffer | null {
    const length = this.lenencInt(field, true);
    if (length === null) return null;
    return this.bytes(length, field);
  }

  lenencString(field: string): string {
    const length = this.lenencInt(field)!;
    const at = this.#need(length, field);
    return this.buffer.toString('utf8', at, at + length);
  }

  /** Bytes up to (not including) a NUL terminator, which is consumed. */
  nulBytes(field: string): Buffer {
    const start = this.offset;
    const nul = this.buffer.indexOf(0, start);
    if (nul < 0 || nul >= this.end) throw new MalformedPacketError(`${field} at offset ${start} has no NUL terminator`);
    this.offset = nul + 1;
    return this.buffer.subarray(start, nul);
  }

  nulString(field: string): string {
    return this.nulBytes(field).toString('utf8');
  }

  restBytes(): Buffer {
    const at = this.offset;
    this.offset = this.end;
    return this.buffer.subarray(at, this.end);
  }

  restString(): string {
    const at = this.offset;
    this.offset = this.end;
    return this.buffer.toString('utf8', at, this.end);
  }

  skip(bytes: number, field: string): void {
    this.#need(bytes, field);
  }
}
