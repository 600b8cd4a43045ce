import { MAX_FRAME_PAYLOAD } from '../constants.js';
import { PacketTooLargeError } from '../errors/packet-too-large-error.js';
import { PacketsOutOfOrderError } from '../errors/packets-out-of-order-error.js';

const HEADER_BYTES = 4;

/**
 * Called once per logical packet: `payload` is the joined payload, `sequenceId` the id of
 * its first frame, `lastSequenceId` the id of its last frame (they differ for packets
 * split into several frames; an answer continues after the last).
 */
export type PacketHandler = (payload: Buffer, sequenceId: number, lastSequenceId: number) => void;

/**
 * Turns a byte stream into logical packets.
 *
 * - A frame is a 3-byte little-endian length, a 1-byte sequence id and the payload.
 * - A frame of exactly 0xffffff bytes continues in the next frame (whose sequence id must
 *   be the next one); the logical payload is the concatenation.
 * - `maxPayloadBytes` is checked when a frame header arrives, BEFORE any of its payload
 *   is buffered: a peer announcing too much gets `PacketTooLargeError` at once.
 *
 * Errors are thrown from `push()`; after one the framer is unusable (the caller closes the
 * connection). Invariants: at most one partial frame is buffered, its buffer sized by
 * the announced length which passed the limit; `#parts` holds only full 0xffffff frames.
 */
export class PacketFramer {
  readonly maxPayloadBytes: number;
  readonly #onPacket: PacketHandler;
  #header = Buffer.alloc(HEADER_BYTES);
  #headerFill = 0;
  /** Body of the frame being received, or null while reading a header. */
  #body: Buffer | null = null;
  #bodyFill = 0;
  #frameSeq = 0;
  #firstSeq = -1;
  #parts: Buffer[] = [];
  #partsBytes = 0;
  #failed = false;

  constructor(maxPayloadBytes: number, onPacket: PacketHandler) {
    if (!(maxPayloadBytes >= 0)) throw new RangeError(`maxPayloadBytes must be >= 0, got ${maxPayloadBytes}`);
    this.maxPayloadBytes = maxPayloadBytes;
    this.#onPacket = onPacket;
  }

  /** Bytes buffered for packets not yet complete. */
  get bufferedBytes(): number {
    return this.#headerFill + this.#bodyFill + this.#partsBytes;
  }

  /** True while no partial packet is buffered. */
  get idle(): boolean {
    return this.bufferedBytes === 0 && this.#body === null;
  }

  push(chunk: Buffer): void {
    if (this.#failed) return;
    try {
      this.#push(chunk);
    } catch (error) {
      this.#failed = true;
      this.#body = null;
      this.#parts = [];
      throw error;
    }
  }

  #push(chunk: Buffer): void {
    let at = 0;
    const end = chunk.length;
    while (at < end) {
      if (this.#body === null) {
        // Fast path: a whole header (and often the whole frame) is in this chunk.
        if (this.#headerFill === 0 && end - at >= HEADER_BYTES) {
          const length = chunk[at]! | (chunk[at + 1]! << 8) | (chunk[at + 2]! << 16);
          const seq = chunk[at + 3]!;
          at += HEADER_BYTES;
          this.#startFrame(length, seq);
          if (end - at >= length) {
            this.#finishFrame(chunk.subarray(at, at + length), length);
            at += length;
            continue;
          }
          this.#body = Buffer.allocUnsafe(length);
          this.#bodyFill = 0;
          continue;
        }
        const take = Math.min(HEADER_BYTES - this.#headerFill, end - at);
        chunk.copy(this.#header, this.#headerFill, at, at + take);
        this.#headerFill += take;
        at += take;
        if (this.#headerFill < HEADER_BYTES) return;
        this.#headerFill = 0;
        const length = this.#header.readUIntLE(0, 3);
        this.#startFrame(length, this.#header[3]!);
        this.#body = Buffer.allocUnsafe(length);
        this.#bodyFill = 0;
        if (length === 0) {
          this.#body = null;
          this.#finishFrame(Buffer.alloc(0), 0);
        }
        continue;
      }
      const body = this.#body;
      const take = Math.min(body.length - this.#bodyFill, end - at);
      chunk.copy(body, this.#bodyFill, at, at + take);
      this.#bodyFill += take;
      at += take;
      if (this.#bodyFill === body.length) {
        this.#body = null;
        this.#bodyFill = 0;
        this.#finishFrame(body, body.length);
      }
    }
  }

  #startFrame(length: number, seq: number): void {
    if (this.#parts.length > 0) {
      const expected = (this.#frameSeq + 1) & 0xff;
      if (seq !== expected) throw new PacketsOutOfOrderError(expected, seq);
    } else {
      this.#firstSeq = seq;
    }
    this.#frameSeq = seq;
    if (this.#partsBytes + length > this.maxPayloadBytes) {
      throw new PacketTooLargeError(this.#partsBytes + length, this.maxPayloadBytes);
    }
  }

  #finishFrame(body: Buffer, length: number): void {
    if (length === MAX_FRAME_PAYLOAD) {
      this.#parts.push(body);
      this.#partsBytes += length;
      return;
    }
    let payload = body;
    if (this.#parts.length > 0) {
      this.#parts.push(body);
      payload = Buffer.concat(this.#parts, this.#partsBytes + length);
      this.#parts = [];
      this.#partsBytes = 0;
    }
    this.#onPacket(payload, this.#firstSeq, this.#frameSeq);
  }
}
