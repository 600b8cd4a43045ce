/** A growable byte buffer for building keys and rows without per-value allocations. */
export class ByteWriter {
  bytes: Uint8Array;
  length = 0;
  private view: DataView;

  constructor(initialCapacity = 64) {
    this.bytes = new Uint8Array(initialCapacity);
    this.view = new DataView(this.bytes.buffer);
  }

  reset(): void {
    this.length = 0;
  }

  ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  u8(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value;
  }

  /** Big-endian unsigned integer of `width` bytes (width <= 6, value a safe non-negative integer). */
  uintBE(value: number, width: number): void {
    this.ensure(width);
    for (let i = width - 1; i >= 0; i--) {
      this.bytes[this.length + i] = value % 256;
      value = Math.floor(value / 256);
    }
    this.length += width;
  }

  u64BE(value: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.length, value, false);
    this.length += 8;
  }

  f64BE(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, value, false);
    this.length += 8;
  }

  f64LE(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  /** Unsigned LEB128 varint (value a safe non-negative integer). */
  varint(value: number): void {
    this.ensure(8);
    while (value >= 0x80) {
      this.bytes[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.bytes[this.length++] = value;
  }

  raw(source: Uint8Array): void {
    this.ensure(source.length);
    this.bytes.set(source, this.length);
    this.length += source.length;
  }

  /** A copy of the written bytes (the writer can be reused). */
  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}
