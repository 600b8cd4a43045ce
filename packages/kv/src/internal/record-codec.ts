import { crc32 } from '@lockstep/base';
import type { WriteOp } from '../types.js';

/**
 * The framing every file of the engine uses (see FORMAT.md):
 *
 *   u32 LE payload length | u32 LE CRC-32 of (type byte + payload) | u8 type | payload
 *
 * and the payload encodings of each record type. Decoding never throws on bad bytes: it
 * returns a reason, and the caller decides whether that is a torn tail or corruption.
 */
export const FRAME_HEADER_BYTES = 9;
/** Largest payload accepted (a record this long is refused on write and treated as damage on read). */
export const MAX_RECORD_PAYLOAD_BYTES = 256 * 1024 * 1024;

export const RecordType = {
  LogHeader: 1,
  Batch: 2,
  Prepare: 3,
  CommitPrepared: 4,
  RollbackPrepared: 5,
  CheckpointHeader: 16,
  CheckpointEntries: 17,
  CheckpointPrepared: 18,
  CheckpointCoordinator: 19,
  CheckpointFooter: 20,
  Manifest: 32,
} as const;

export const LOG_MAGIC = 'LSKVWAL1';
export const CHECKPOINT_MAGIC = 'LSKVCKP1';
export const MANIFEST_MAGIC = 'LSKVMAN1';
export const FORMAT_VERSION = 1;

const OP_PUT = 1;
const OP_DELETE = 2;
const FLAG_COORDINATOR = 1;

// ---- writing ------------------------------------------------------------------------

export function varintBytes(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

export function opsBytes(ops: readonly WriteOp[]): number {
  let n = varintBytes(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    n += 1 + varintBytes(op.key.length) + op.key.length;
    if (op.type === 'put') n += varintBytes(op.value.length) + op.value.length;
  }
  return n;
}

/** A byte writer over one exactly-sized frame, in its own array or in place in a larger one. */
export class FrameWriter {
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
  pos: number;

  constructor(type: number, payloadBytes: number, target?: Uint8Array, offset = 0) {
    this.bytes = target ?? new Uint8Array(FRAME_HEADER_BYTES + payloadBytes);
    this.start = target === undefined ? 0 : offset;
    this.end = this.start + FRAME_HEADER_BYTES + payloadBytes;
    this.pos = this.start + FRAME_HEADER_BYTES;
    const b = this.bytes;
    const o = this.start;
    b[o] = payloadBytes & 0xff;
    b[o + 1] = (payloadBytes >>> 8) & 0xff;
    b[o + 2] = (payloadBytes >>> 16) & 0xff;
    b[o + 3] = (payloadBytes >>> 24) & 0xff;
    b[o + 8] = type;
  }

  u8(v: number): void {
    this.bytes[this.pos++] = v;
  }

  u32(v: number): void {
    const b = this.bytes;
    b[this.pos++] = v & 0xff;
    b[this.pos++] = (v >>> 8) & 0xff;
    b[this.pos++] = (v >>> 16) & 0xff;
    b[this.pos++] = (v >>> 24) & 0xff;
  }

  /** A non-negative safe integer as u64 LE. */
  u64(v: number): void {
    this.u32(v % 0x100000000);
    this.u32(Math.floor(v / 0x100000000));
  }

  u64n(v: bigint): void {
    this.u32(Number(v & 0xffffffffn));
    this.u32(Number(v >> 32n));
  }

  varint(v: number): void {
    const b = this.bytes;
    while (v >= 0x80) {
      b[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[this.pos++] = v;
  }

  raw(data: Uint8Array): void {
    const n = data.length;
    if (n <= 128) {
      // A plain loop beats TypedArray.prototype.set (a runtime call) for short keys and values.
      const b = this.bytes;
      let p = this.pos;
      for (let i = 0; i < n; i++) b[p++] = data[i]!;
    } else {
      this.bytes.set(data, this.pos);
    }
    this.pos += n;
  }

  lengthPrefixed(data: Uint8Array): void {
    this.varint(data.length);
    this.raw(data);
  }

  ops(ops: readonly WriteOp[]): void {
    this.varint(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.type === 'put') {
        this.u8(OP_PUT);
        this.lengthPrefixed(op.key);
        this.lengthPrefixed(op.value);
      } else {
        this.u8(OP_DELETE);
        this.lengthPrefixed(op.key);
      }
    }
  }

  /** Seals the frame (writes the checksum) and returns its bytes (a view when written in place). */
  finish(): Uint8Array {
    const b = this.bytes;
    if (this.pos !== this.end) throw new Error(`frame size mismatch: wrote ${this.pos - this.start} of ${this.end - this.start}`);
    const o = this.start;
    const c = crc32(b, 0, o + 8, this.end);
    b[o + 4] = c & 0xff;
    b[o + 5] = (c >>> 8) & 0xff;
    b[o + 6] = (c >>> 16) & 0xff;
    b[o + 7] = (c >>> 24) & 0xff;
    return o === 0 && this.end === b.length ? b : b.subarray(o, this.end);
  }
}

function magicBytes(magic: string): Uint8Array {
  return new TextEncoder().encode(magic);
}

export function encodeFileHeader(type: number, magic: string, fields: readonly number[]): Uint8Array {
  const w = new FrameWriter(type, 8 + 4 + fields.length * 8);
  w.raw(magicBytes(magic));
  w.u32(FORMAT_VERSION);
  for (const f of fields) w.u64(f);
  return w.finish();
}

/** Size of a batch frame, header included. */
export function batchFrameBytes(ops: readonly WriteOp[], coordinatorPosition: Uint8Array | undefined): number {
  const coordBytes = coordinatorPosition === undefined ? 0 : varintBytes(coordinatorPosition.length) + coordinatorPosition.length;
  return FRAME_HEADER_BYTES + 8 + 1 + coordBytes + opsBytes(ops);
}

/** Encodes a batch frame of `frameBytes` (from batchFrameBytes) at `target[offset..]`. */
export function encodeBatchInto(target: Uint8Array, offset: number, frameBytes: number, seq: number, ops: readonly WriteOp[], coordinatorPosition: Uint8Array | undefined): void {
  const w = new FrameWriter(RecordType.Batch, frameBytes - FRAME_HEADER_BYTES, target, offset);
  w.u64(seq);
  w.u8(coordinatorPosition === undefined ? 0 : FLAG_COORDINATOR);
  if (coordinatorPosition !== undefined) w.lengthPrefixed(coordinatorPosition);
  w.ops(ops);
  w.finish();
}

export function encodeBatch(seq: number, ops: readonly WriteOp[], coordinatorPosition: Uint8Array | undefined): Uint8Array {
  const frameBytes = batchFrameBytes(ops, coordinatorPosition);
  const out = new Uint8Array(frameBytes);
  encodeBatchInto(out, 0, frameBytes, seq, ops, coordinatorPosition);
  return out;
}

export function encodePrepare(type: number, xid: bigint, ops: readonly WriteOp[]): Uint8Array {
  const w = new FrameWriter(type, 8 + opsBytes(ops));
  w.u64n(xid);
  w.ops(ops);
  return w.finish();
}

export function encodeCommitPrepared(xid: bigint, seq: number, coordinatorPosition: Uint8Array | undefined): Uint8Array {
  const coordBytes = coordinatorPosition === undefined ? 0 : varintBytes(coordinatorPosition.length) + coordinatorPosition.length;
  const w = new FrameWriter(RecordType.CommitPrepared, 16 + 1 + coordBytes);
  w.u64n(xid);
  w.u64(seq);
  w.u8(coordinatorPosition === undefined ? 0 : FLAG_COORDINATOR);
  if (coordinatorPosition !== undefined) w.lengthPrefixed(coordinatorPosition);
  return w.finish();
}

export function encodeRollbackPrepared(xid: bigint): Uint8Array {
  const w = new FrameWriter(RecordType.RollbackPrepared, 8);
  w.u64n(xid);
  return w.finish();
}

export function encodeCoordinator(seq: number, position: Uint8Array): Uint8Array {
  const w = new FrameWriter(RecordType.CheckpointCoordinator, 8 + varintBytes(position.length) + position.length);
  w.u64(seq);
  w.lengthPrefixed(position);
  return w.finish();
}

// ---- reading ------------------------------------------------------------------------

export type FrameResult =
  | { readonly ok: true; readonly type: number; readonly payloadStart: number; readonly end: number }
  | { readonly ok: false; readonly reason: string };

/** Reads the frame at `offset` of `data` (which ends at `data.length`). */
export function readFrame(data: Uint8Array, offset: number): FrameResult {
  const available = data.length - offset;
  if (available < FRAME_HEADER_BYTES) return { ok: false, reason: `truncated frame header (${available} of ${FRAME_HEADER_BYTES} bytes)` };
  const length = (data[offset]! | (data[offset + 1]! << 8) | (data[offset + 2]! << 16) | (data[offset + 3]! << 24)) >>> 0;
  if (length > MAX_RECORD_PAYLOAD_BYTES) return { ok: false, reason: `record length ${length} exceeds the limit` };
  const end = offset + FRAME_HEADER_BYTES + length;
  if (end > data.length) return { ok: false, reason: `truncated record (${data.length - offset} of ${end - offset} bytes)` };
  const stored = (data[offset + 4]! | (data[offset + 5]! << 8) | (data[offset + 6]! << 16) | (data[offset + 7]! << 24)) >>> 0;
  const actual = crc32(data, 0, offset + 8, end);
  if (stored !== actual) return { ok: false, reason: `checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)})` };
  return { ok: true, type: data[offset + 8]!, payloadStart: offset + FRAME_HEADER_BYTES, end };
}

/** Thrown by PayloadReader when a checksummed payload still does not parse (a format bug or deliberate damage). */
export class PayloadError extends Error {}

/** Reads fields from one payload; throws PayloadError on any overrun or bad value. */
export class PayloadReader {
  readonly #data: Uint8Array;
  pos: number;
  readonly end: number;

  constructor(data: Uint8Array, start: number, end: number) {
    this.#data = data;
    this.pos = start;
    this.end = end;
  }

  #need(n: number): void {
    if (this.pos + n > this.end) throw new PayloadError(`payload too short at byte ${this.pos}`);
  }

  u8(): number {
    this.#need(1);
    return this.#data[this.pos++]!;
  }

  u32(): number {
    this.#need(4);
    const d = this.#data;
    const p = this.pos;
    this.pos += 4;
    return (d[p]! | (d[p + 1]! << 8) | (d[p + 2]! << 16) | (d[p + 3]! << 24)) >>> 0;
  }

  u64(): number {
    const lo = this.u32();
    const hi = this.u32();
    if (hi >= 0x200000) throw new PayloadError('64-bit value beyond 2^53');
    return hi * 0x100000000 + lo;
  }

  u64n(): bigint {
    const lo = this.u32();
    const hi = this.u32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.u8();
      if (shift === 28 && b > 0x0f) throw new PayloadError('varint too long');
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
    }
  }

  /** A copy (so the file buffer is not retained). */
  bytes(n: number): Uint8Array {
    this.#need(n);
    const out = this.#data.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  lengthPrefixed(): Uint8Array {
    return this.bytes(this.varint());
  }

  magic(expected: string): void {
    const got = new TextDecoder().decode(this.bytes(expected.length));
    if (got !== expected) throw new PayloadError(`bad magic ${JSON.stringify(got)}, expected ${expected}`);
  }

  ops(): WriteOp[] {
    const count = this.varint();
    if (count > this.end - this.pos) throw new PayloadError(`op count ${count} larger than the payload`);
    const ops: WriteOp[] = [];
    for (let i = 0; i < count; i++) {
      const type = this.u8();
      const key = this.lengthPrefixed();
      if (type === OP_PUT) ops.push({ type: 'put', key, value: this.lengthPrefixed() });
      else if (type === OP_DELETE) ops.push({ type: 'delete', key });
      else throw new PayloadError(`unknown op type ${type}`);
    }
    return ops;
  }

  optionalCoordinator(): Uint8Array | undefined {
    const flags = this.u8();
    if ((flags & ~FLAG_COORDINATOR) !== 0) throw new PayloadError(`unknown flags ${flags}`);
    return (flags & FLAG_COORDINATOR) !== 0 ? this.lengthPrefixed() : undefined;
  }

  done(): void {
    if (this.pos !== this.end) throw new PayloadError(`${this.end - this.pos} unexpected bytes after the payload`);
  }
}
