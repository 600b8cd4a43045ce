import { MAX_FRAME_PAYLOAD } from '../constants.js';


const HEADER_BYTES = 4;
const SMALL_COPY_BYTES = 2048;
const SHORT_ASCII_CHARS = 32;

/**
 * Builds one or more framed packets into a single growable buffer so a whole response
 * (column definitions, rows, EOF/OK) leaves in one socket write.
 *
 * Usage: `begin()`, write the payload, `end()`; repeat; `take()` returns the bytes.
 * Each `end()` stamps the frame header with the next sequence id; a payload of
 * 0xffffff bytes or more is split into frames of 0xffffff bytes plus a final shorter
 * (possibly empty) frame, each with its own sequence id.
 *
 * Invariants: between `begin()` and `end()` `#packetStart` points at the reserved
 * header; `sequenceId` is always in 0..255.
 */
export class PacketWriter {
  #buf: Buffer;
  #pos = 0;
  #packetStart = -1;
  /** Sequence id the next frame gets. */
  sequenceId = 0;

  readonly #initialBytes: number;

  constructor(initialBytes = 1024) {
    this.#initialBytes = initialBytes;
    this.#buf = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.#pos;
  }

  #ensure(bytes: number): void {
    const need = this.#pos + bytes;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }

  begin(): this {
    this.#ensure(HEADER_BYTES + 64);
    this.#packetStart = this.#pos;
    this.#pos += HEADER_BYTES;
    return this;
  }

  end(): this {
    const start = this.#packetStart;
    const payloadLength = this.#pos - start - HEADER_BYTES;
    this.#packetStart = -1;
    if (payloadLength < MAX_FRAME_PAYLOAD) {
      const buf = this.#buf;
      buf[start] = payloadLength & 0xff;
      buf[start + 1] = (payloadLength >>> 8) & 0xff;
      buf[start + 2] = payloadLength >>> 16;
      buf[start + 3] = this.sequenceId;
      this.sequenceId = (this.sequenceId + 1) & 0xff;
      return this;
    }
    // Rare path (payload of 16 MiB or more): re-lay the payload out as several frames.
    const payload = Buffer.from(this.#buf.subarray(start + HEADER_BYTES, this.#pos));
    this.#pos = start;
    let offset = 0;
    for (;;) {
      const frameLength = Math.min(MAX_FRAME_PAYLOAD, payload.length - offset);
      this.#ensure(HEADER_BYTES + frameLength);
      this.#buf.writeUIntLE(frameLength, this.#pos, 3);
      this.#buf[this.#pos + 3] = this.sequenceId;
      this.sequenceId = (this.sequenceId + 1) & 0xff;
      payload.copy(this.#buf, this.#pos + HEADER_BYTES, offset, offset + frameLength);
      this.#pos += HEADER_BYTES + frameLength;
      offset += frameLength;
      if (frameLength < MAX_FRAME_PAYLOAD) break;
    }
    return this;
  }

  /** Returns every byte written since the last take, and starts over (keeping capacity). */
  take(): Buffer {
    let out: Buffer;
    if (this.#pos <= SMALL_COPY_BYTES) {
      // Small answers (the common case) are copied into Node's shared pool: cheaper than a fresh buffer.
      out = Buffer.allocUnsafe(this.#pos);
      this.#buf.copy(out, 0, 0, this.#pos);
    } else {
      out = this.#buf.subarray(0, this.#pos);
      this.#buf = Buffer.allocUnsafe(this.#initialBytes);
    }
    this.#pos = 0;
    return out;
  }

  /** Drops everything written since the last take (a response that failed half-way). */
  reset(sequenceId: number): void {
    this.#pos = 0;
    this.#packetStart = -1;
    this.sequenceId = sequenceId & 0xff;
  }

  u8(value: number): this {
    this.#ensure(1);
    this.#buf[this.#pos++] = value & 0xff;
    return this;
  }

  u16(value: number): this {
    this.#ensure(2);
    const buf = this.#buf;
    const at = this.#pos;
    buf[at] = value & 0xff;
    buf[at + 1] = (value >>> 8) & 0xff;
    this.#pos = at + 2;
    return this;
  }

  i16(value: number): this {
    this.#ensure(2);
    this.#buf.writeInt16LE(value, this.#pos);
    this.#pos += 2;
    return this;
  }

  u24(value: number): this {
    this.#ensure(3);
    this.#buf.writeUIntLE(value, this.#pos, 3);
    this.#pos += 3;
    return this;
  }

  u32(value: number): this {
    this.#ensure(4);
    const buf = this.#buf;
    const at = this.#pos;
    buf[at] = value & 0xff;
    buf[at + 1] = (value >>> 8) & 0xff;
    buf[at + 2] = (value >>> 16) & 0xff;
    buf[at + 3] = (value >>> 24) & 0xff;
    this.#pos = at + 4;
    return this;
  }

  i32(value: number): this {
    this.#ensure(4);
    this.#buf.writeInt32LE(value, this.#pos);
    this.#pos += 4;
    return this;
  }

  u64(value: bigint): this {
    this.#ensure(8);
    this.#buf.writeBigUInt64LE(value, this.#pos);
    this.#pos += 8;
    return this;
  }

  i64(value: bigint): this {
    this.#ensure(8);
    this.#buf.writeBigInt64LE(value, this.#pos);
    this.#pos += 8;
    return this;
  }

  f32(value: number): this {
    this.#ensure(4);
    this.#buf.writeFloatLE(value, this.#pos);
    this.#pos += 4;
    return this;
  }

  f64(value: number): this {
    this.#ensure(8);
    this.#buf.writeDoubleLE(value, this.#pos);
    this.#pos += 8;
    return this;
  }

  zeros(count: number): this {
    this.#ensure(count);
    this.#buf.fill(0, this.#pos, this.#pos + count);
    this.#pos += count;
    return this;
  }

  lenencInt(value: number | bigint): this {
    if (typeof value === 'bigint') {
      if (value < 0n) throw new RangeError(`length-encoded integer cannot be negative: ${value}`);
      if (value >= 0x1000000n) {
        this.u8(0xfe);
        return this.u64(value);
      }
      value = Number(value);
    }
    if (value < 0) throw new RangeError(`length-encoded integer cannot be negative: ${value}`);
    if (value < 0xfb) return this.u8(value);
    if (value < 0x10000) return this.u8(0xfc).u16(value);
    if (value < 0x1000000) return this.u8(0xfd).u24(value);
    return this.u8(0xfe).u64(BigInt(value));
  }

  bytes(value: Uint8Array): this {
    this.#ensure(value.length);
    this.#buf.set(value, this.#pos);
    this.#pos += value.length;
    return this;
  }

  lenencBytes(value: Uint8Array): this {
    return this.lenencInt(value.length).bytes(value);
  }

  /** UTF-8 text with no length prefix or terminator. */
  string(value: string): this {
    this.#ensure(value.length * 3);
    this.#pos += this.#buf.write(value, this.#pos, 'utf8');
    return this;
  }

  nulString(value: string): this {
    return this.string(value).u8(0);
  }

  lenencString(value: string): this {
    const length = value.length;
    // Fastest path: short ASCII strings are copied char by char (cheaper than a UTF-8 encoder call).
    if (length <= SHORT_ASCII_CHARS) {
      this.#ensure(1 + length);
      const buf = this.#buf;
      const at = this.#pos;
      let i = 0;
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        buf[at + 1 + i] = code;
      }
      if (i === length) {
        buf[at] = length;
        this.#pos = at + 1 + length;
        return this;
      }
    }
    // Fast path: short strings write in place behind a one-byte prefix.
    if (length * 3 < 0xfb) {
      this.#ensure(1 + value.length * 3);
      const written = this.#buf.write(value, this.#pos + 1, 'utf8');
      this.#buf[this.#pos] = written;
      this.#pos += 1 + written;
      return this;
    }
    this.lenencInt(Buffer.byteLength(value, 'utf8'));
    return this.string(value);
  }

  /** Overwrites one byte at an absolute position (used to patch flags after the fact). */
  patchU8(position: number, value: number): void {
    this.#buf[position] = value;
  }
}
