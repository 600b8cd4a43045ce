import type { FileHandle } from '@lockstep/base';
import type { BinlogEventDecoder } from '../codec.js';
import { COMMON_HEADER_LENGTH } from '../event-types.js';
import type { PositionedBinlogEvent } from '../events.js';

export type CursorStep =
  | { readonly kind: 'event'; readonly event: PositionedBinlogEvent }
  /** Clean end: the file ends exactly at `offset`. */
  | { readonly kind: 'eof'; readonly offset: number }
  /** The file ends inside the event at `offset`. */
  | { readonly kind: 'partial'; readonly offset: number; readonly available: number; readonly needed: number };

/** Default read size; an event larger than this is read whole (up to the decoder's max event size). */
export const DEFAULT_READ_CHUNK_BYTES = 256 * 1024;

/**
 * Reads events one by one from an open binlog file, in chunks, starting at `offset`.
 * A chunk events were decoded from is never overwritten (a new one is read instead), so
 * a zero-copy decoder's values stay valid: each value keeps its chunk alive. A step that
 * hits the end of the file can be retried later (the file may have grown).
 */
export class EventCursor {
  #buf: Uint8Array;
  /** File offset of #buf[0]. */
  #bufStart: number;
  #bufLen = 0;
  /** File offset of the next event. */
  offset: number;

  constructor(
    readonly handle: FileHandle,
    readonly decoder: BinlogEventDecoder,
    offset: number,
    readonly chunkBytes = DEFAULT_READ_CHUNK_BYTES,
  ) {
    this.offset = offset;
    this.#bufStart = offset;
    this.#buf = new Uint8Array(chunkBytes);
  }

  /** True once an event decoded from #buf was returned: its values may view #buf, so it is never overwritten. */
  #handedOut = false;

  /** Makes at least `n` bytes from `this.offset` available if the file has them; returns how many are. */
  async #fill(n: number): Promise<number> {
    const rel = this.offset - this.#bufStart;
    if (this.#bufLen - rel >= n) return this.#bufLen - rel;
    // Move the unread tail to the front of a buffer: a fresh one when events already
    // handed out may view the current one (zero-copy values), or when one event needs more.
    const keep = this.#bufLen - rel;
    const capacity = Math.max(this.chunkBytes, n);
    if (this.#handedOut || capacity > this.#buf.length) {
      const next = new Uint8Array(capacity);
      next.set(this.#buf.subarray(rel, this.#bufLen), 0);
      this.#buf = next;
      this.#handedOut = false;
    } else {
      this.#buf.copyWithin(0, rel, this.#bufLen);
    }
    this.#bufStart = this.offset;
    this.#bufLen = keep;
    while (this.#bufLen < n) {
      const got = await this.handle.read(this.#buf, this.#bufLen, this.#buf.length - this.#bufLen, this.#bufStart + this.#bufLen);
      if (got === 0) break;
      this.#bufLen += got;
    }
    return this.#bufLen;
  }

  /** The next event if it is already buffered whole (no await), else undefined. */
  nextBuffered(): CursorStep | undefined {
    const at = this.offset - this.#bufStart;
    const end = this.#bufLen;
    if (end - at < COMMON_HEADER_LENGTH) return undefined;
    const view = this.#buf.subarray(0, end);
    const size = this.decoder.eventSizeAt(view, at, this.offset)!;
    if (end - at < size) return undefined;
    const event = this.decoder.decode(view, at, this.offset);
    this.#handedOut = true;
    this.offset += size;
    return { kind: 'event', event };
  }

  async next(): Promise<CursorStep> {
    let available = await this.#fill(COMMON_HEADER_LENGTH);
    if (available === 0) return { kind: 'eof', offset: this.offset };
    if (available < COMMON_HEADER_LENGTH) return { kind: 'partial', offset: this.offset, available, needed: COMMON_HEADER_LENGTH };
    const rel = this.offset - this.#bufStart;
    const size = this.decoder.eventSizeAt(this.#buf.subarray(0, this.#bufLen), rel, this.offset)!;
    available = await this.#fill(size);
    if (available < size) return { kind: 'partial', offset: this.offset, available, needed: size };
    const at = this.offset - this.#bufStart;
    const event = this.decoder.decode(this.#buf.subarray(0, at + size), at, this.offset);
    this.#handedOut = true;
    this.offset += size;
    return { kind: 'event', event };
  }

  /** Forgets buffered bytes (after the file was truncated or rewritten). */
  reset(offset: number): void {
    this.offset = offset;
    this.#bufStart = offset;
    this.#bufLen = 0;
  }
}
