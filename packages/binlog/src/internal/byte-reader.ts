/** Thrown when a field runs past the end of its event; the codec turns it into BinlogCorruptError. */
export class OutOfBounds extends Error {
  constructor(
    readonly at: number,
    readonly need: number,
  ) {
    super(`field at ${at} needs ${need} bytes past the end`);
  }
}

/** Signals an invalid field inside an event; the codec adds the file and offset. */
export class InvalidField extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

const utf8 = new TextDecoder('utf-8');

/** Little-endian reader over `buf[pos..end)` that never reads past `end`. */
export class ByteReader {
  constructor(
    public buf: Uint8Array,
    public pos: number,
    public end: number,
  ) {}

  reset(buf: Uint8Array, pos: number, end: number): void {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  need(n: number): void {
    if (this.pos + n > this.end) throw new OutOfBounds(this.pos, n);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    if (this.pos + 1 > this.end) throw new OutOfBounds(this.pos, 1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    if (this.pos + 2 > this.end) throw new OutOfBounds(this.pos, 2);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return b[p]! | (b[p + 1]! << 8);
  }

  u24(): number {
    if (this.pos + 3 > this.end) throw new OutOfBounds(this.pos, 3);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 3;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
  }

  u32(): number {
    if (this.pos + 4 > this.end) throw new OutOfBounds(this.pos, 4);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
  }

  /** Unsigned of `n` <= 6 bytes as a number. */
  uint(n: number): number {
    if (this.pos + n > this.end) throw new OutOfBounds(this.pos, n);
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + this.buf[this.pos + i]!;
    this.pos += n;
    return v;
  }

  uintBE(n: number): number {
    if (this.pos + n > this.end) throw new OutOfBounds(this.pos, n);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.buf[this.pos + i]!;
    this.pos += n;
    return v;
  }

  u64(): bigint {
    const lo = this.u32();
    const hi = this.u32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  i64(): bigint {
    return BigInt.asIntN(64, this.u64());
  }

  f64(): number {
    if (this.pos + 8 > this.end) throw new OutOfBounds(this.pos, 8);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset).getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  f32(): number {
    if (this.pos + 4 > this.end) throw new OutOfBounds(this.pos, 4);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset).getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A view (no copy) of the next `n` bytes. */
  bytes(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.end) throw new OutOfBounds(this.pos, n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A copy of the next `n` bytes (for values kept after the input buffer is reused). */
  copy(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.end) throw new OutOfBounds(this.pos, n);
    const v = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  string(n: number): string {
    return utf8.decode(this.bytes(n));
  }

  /** MySQL packed integer (as a number; values past 2^53 are corrupt here). */
  packed(): number {
    const first = this.u8();
    if (first < 251) return first;
    if (first === 252) return this.u16();
    if (first === 253) return this.u24();
    if (first === 254) {
      const v = this.u64();
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidField(`packed integer ${v} too large`);
      return Number(v);
    }
    throw new InvalidField(`invalid packed integer prefix ${first}`);
  }
}

export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
