import { BinlogEncodeError } from '../errors/binlog-encode-error.js';

const utf8 = new TextEncoder();
/** Bound on the cache of encoded short names (database and table names repeat in every table map). */
const NAME_CACHE_MAX = 1024;
const nameCache = new Map<string, Uint8Array>();

/** Little-endian append-only byte buffer that grows by doubling. */
export class ByteWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(initialBytes);
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  u16(v: number): void {
    this.ensure(2);
    const b = this.buf;
    b[this.pos] = v & 0xff;
    b[this.pos + 1] = (v >>> 8) & 0xff;
    this.pos += 2;
  }

  u24(v: number): void {
    this.ensure(3);
    const b = this.buf;
    b[this.pos] = v & 0xff;
    b[this.pos + 1] = (v >>> 8) & 0xff;
    b[this.pos + 2] = (v >>> 16) & 0xff;
    this.pos += 3;
  }

  u32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    b[this.pos] = v & 0xff;
    b[this.pos + 1] = (v >>> 8) & 0xff;
    b[this.pos + 2] = (v >>> 16) & 0xff;
    b[this.pos + 3] = (v >>> 24) & 0xff;
    this.pos += 4;
  }

  /** Unsigned integer of `n` bytes (n <= 6), little-endian. */
  uint(v: number, n: number): void {
    this.ensure(n);
    let x = v;
    for (let i = 0; i < n; i++) {
      this.buf[this.pos + i] = x % 256;
      x = Math.floor(x / 256);
    }
    this.pos += n;
  }

  u64(v: bigint): void {
    this.ensure(8);
    const lo = Number(v & 0xffffffffn);
    const hi = Number((v >> 32n) & 0xffffffffn);
    this.u32(lo);
    this.u32(hi);
  }

  /** Big-endian unsigned integer of `n` bytes (n <= 6). */
  uintBE(v: number, n: number): void {
    this.ensure(n);
    let x = v;
    for (let i = n - 1; i >= 0; i--) {
      this.buf[this.pos + i] = x % 256;
      x = Math.floor(x / 256);
    }
    this.pos += n;
  }

  f64(v: number): void {
    this.ensure(8);
    new DataView(this.buf.buffer, this.buf.byteOffset).setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  f32(v: number): void {
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset).setFloat32(this.pos, v, true);
    this.pos += 4;
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** MySQL packed (length-encoded) integer. */
  packed(v: number): void {
    if (v < 251) this.u8(v);
    else if (v < 0x10000) {
      this.u8(252);
      this.u16(v);
    } else if (v < 0x1000000) {
      this.u8(253);
      this.u24(v);
    } else {
      this.u8(254);
      this.u64(BigInt(v));
    }
  }

  /** A name with a u8 length and a zero terminator (TABLE_MAP's database and table). */
  shortName(text: string, what: string): void {
    let data = nameCache.get(text);
    if (data === undefined) {
      data = utf8.encode(text);
      if (nameCache.size >= NAME_CACHE_MAX) nameCache.clear();
      nameCache.set(text, data);
    }
    if (data.length > 255) throw new BinlogEncodeError(`${what} is ${data.length} bytes, more than 255`);
    this.u8(data.length);
    this.bytes(data);
    this.u8(0);
  }

  /** Zero-fills `n` bytes. */
  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }

  result(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}
