import { StoredBytesCorruptError } from '../errors/stored-bytes-corrupt-error.js';

/** Reads the primitives ByteWriter writes; every overrun or bad value is a StoredBytesCorruptError with the offset. */
export class ByteReader {
  pos = 0;
  private readonly bytes: Uint8Array;
  private readonly what: string;
  private static readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(bytes: Uint8Array, what: string) {
    this.bytes = bytes;
    this.what = what;
  }

  fail(detail: string, at = this.pos): never {
    throw new StoredBytesCorruptError(this.what, at, detail);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  u8(): number {
    if (this.pos >= this.bytes.length) this.fail('truncated');
    return this.bytes[this.pos++]!;
  }

  varint(max = Number.MAX_SAFE_INTEGER): number {
    const start = this.pos;
    let value = 0;
    let shift = 1;
    for (let i = 0; ; i++) {
      if (i >= 8) this.fail('varint too long', start);
      const b = this.u8();
      value += (b & 0x7f) * shift;
      if (b < 0x80) break;
      shift *= 0x80;
    }
    if (value > max) this.fail(`value ${value} exceeds ${max}`, start);
    return value;
  }

  bytesOf(length: number): Uint8Array {
    if (length > this.remaining) this.fail(`needs ${length} bytes, ${this.remaining} left`);
    const out = this.bytes.slice(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(maxBytes = 1 << 20): string {
    const start = this.pos;
    const raw = this.bytesOf(this.varint(maxBytes));
    try {
      return ByteReader.decoder.decode(raw);
    } catch {
      return this.fail('string is not valid UTF-8', start);
    }
  }

  end(): void {
    if (this.pos !== this.bytes.length) this.fail(`${this.bytes.length - this.pos} trailing bytes`);
  }
}
