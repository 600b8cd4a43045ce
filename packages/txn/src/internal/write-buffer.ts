import { compareBytes } from '@lockstep/locktree';

/** One buffered write: a put (`value` set) or a delete (`value` undefined). */
export interface BufferedWrite {
  readonly key: Uint8Array;
  readonly value: Uint8Array | undefined;
}

/** Bytes a buffered write is charged (key, value, and a fixed overhead for the entry and its undo record). */
const ENTRY_OVERHEAD_BYTES = 64;
/** Entries per chunk before it splits in two. */
const DEFAULT_MAX_CHUNK = 512;

interface UndoRecord {
  readonly key: Uint8Array;
  /** The entry before the write, or undefined when the key had no buffered write. */
  readonly previous: BufferedWrite | undefined;
}

interface Position {
  readonly ci: number;
  readonly i: number;
}

/**
 * A transaction's uncommitted writes, in key order, with an undo log for savepoints.
 *
 * Layout: a list of sorted chunks (at most `maxChunk` entries each; every key of a chunk is
 * below every key of the next), so a lookup is two binary searches and an insert moves at
 * most one chunk's tail — a transaction of a million keys costs O(log n + chunk) per write,
 * not O(n).
 *
 * Invariants: chunks are non-empty, sorted, without duplicate keys, and ordered among
 * themselves; `undo[i]` restores the state before the i-th write; `bytes` is the charge of
 * the current entries; `size` is their count.
 */
export class WriteBuffer {
  readonly #maxChunk: number;
  #chunks: BufferedWrite[][] = [];
  #undo: UndoRecord[] = [];
  #bytes = 0;
  #size = 0;

  constructor(maxChunk = DEFAULT_MAX_CHUNK) {
    this.#maxChunk = Math.max(2, maxChunk);
  }

  get size(): number {
    return this.#size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Undo-log length: a savepoint. */
  get mark(): number {
    return this.#undo.length;
  }

  /** Bytes the buffer would hold after writing `value` (or a delete) under `key`. */
  bytesAfter(key: Uint8Array, value: Uint8Array | undefined): number {
    const previous = this.get(key);
    return this.#bytes - (previous === undefined ? 0 : charge(previous)) + ENTRY_OVERHEAD_BYTES + key.length + (value?.length ?? 0);
  }

  get(key: Uint8Array): BufferedWrite | undefined {
    const p = this.#lowerBound(key);
    const entry = this.#at(p);
    return entry !== undefined && compareBytes(entry.key, key) === 0 ? entry : undefined;
  }

  set(key: Uint8Array, value: Uint8Array | undefined): void {
    const entry: BufferedWrite = { key, value };
    const p = this.#lowerBound(key);
    const found = this.#at(p);
    if (found !== undefined && compareBytes(found.key, key) === 0) {
      this.#undo.push({ key, previous: found });
      this.#bytes += charge(entry) - charge(found);
      this.#chunks[p.ci]![p.i] = entry;
      return;
    }
    this.#undo.push({ key, previous: undefined });
    this.#insertAt(p, entry);
    this.#bytes += charge(entry);
  }

  /** Undoes every write after `mark` (newest first). */
  rollbackTo(mark: number): void {
    while (this.#undo.length > mark) {
      const { key, previous } = this.#undo.pop()!;
      const p = this.#lowerBound(key);
      const current = this.#at(p);
      if (current === undefined || compareBytes(current.key, key) !== 0) continue; // cannot happen: every undo record's key has an entry
      this.#bytes -= charge(current);
      if (previous === undefined) this.#removeAt(p);
      else {
        this.#chunks[p.ci]![p.i] = previous;
        this.#bytes += charge(previous);
      }
    }
  }

  /**
   * The first entry after `key` in iteration order (forward: smallest key > key, or >= with
   * `inclusive`; reverse: largest key < key, or <=). `key` undefined: the first entry.
   */
  seek(key: Uint8Array | undefined, inclusive: boolean, reverse: boolean): BufferedWrite | undefined {
    if (this.#size === 0) return undefined;
    if (key === undefined) {
      if (!reverse) return this.#chunks[0]![0];
      const last = this.#chunks[this.#chunks.length - 1]!;
      return last[last.length - 1];
    }
    const p = this.#lowerBound(key);
    const at = this.#at(p);
    const exact = at !== undefined && compareBytes(at.key, key) === 0;
    if (!reverse) return exact && !inclusive ? this.#at(this.#next(p)) : at;
    if (exact && inclusive) return at;
    const before = this.#previous(p);
    return before === undefined ? undefined : this.#at(before);
  }

  /** Every entry in key order (a new array). */
  entries(): BufferedWrite[] {
    return this.#chunks.flat();
  }

  clear(): void {
    this.#chunks = [];
    this.#undo = [];
    this.#bytes = 0;
    this.#size = 0;
  }

  /** The position of the first entry with key >= `key` (ci = chunks.length: past the end). */
  #lowerBound(key: Uint8Array): Position {
    const chunks = this.#chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    let ci = chunks.length;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = chunks[mid]!;
      if (compareBytes(chunk[chunk.length - 1]!.key, key) >= 0) {
        ci = mid;
        hi = mid - 1;
      } else lo = mid + 1;
    }
    if (ci === chunks.length) return { ci, i: 0 };
    const chunk = chunks[ci]!;
    let l = 0;
    let h = chunk.length - 1;
    let i = chunk.length - 1; // the chunk's last key is >= key, so the answer is inside it
    while (l <= h) {
      const m = (l + h) >>> 1;
      if (compareBytes(chunk[m]!.key, key) >= 0) {
        i = m;
        h = m - 1;
      } else l = m + 1;
    }
    return { ci, i };
  }

  #at(p: Position): BufferedWrite | undefined {
    return this.#chunks[p.ci]?.[p.i];
  }

  #next(p: Position): Position {
    const chunk = this.#chunks[p.ci];
    if (chunk !== undefined && p.i + 1 < chunk.length) return { ci: p.ci, i: p.i + 1 };
    return { ci: p.ci + 1, i: 0 };
  }

  #previous(p: Position): Position | undefined {
    if (p.ci < this.#chunks.length && p.i > 0) return { ci: p.ci, i: p.i - 1 };
    const ci = p.ci - 1;
    if (ci < 0) return undefined;
    return { ci, i: this.#chunks[ci]!.length - 1 };
  }

  #insertAt(p: Position, entry: BufferedWrite): void {
    this.#size += 1;
    const chunks = this.#chunks;
    if (chunks.length === 0) {
      chunks.push([entry]);
      return;
    }
    let ci = p.ci;
    if (ci === chunks.length) {
      ci -= 1; // greater than every key: append to the last chunk
      chunks[ci]!.push(entry);
    } else chunks[ci]!.splice(p.i, 0, entry);
    const chunk = chunks[ci]!;
    if (chunk.length > this.#maxChunk) chunks.splice(ci + 1, 0, chunk.splice(chunk.length >>> 1));
  }

  #removeAt(p: Position): void {
    this.#size -= 1;
    const chunk = this.#chunks[p.ci]!;
    chunk.splice(p.i, 1);
    if (chunk.length === 0) this.#chunks.splice(p.ci, 1);
  }
}

function charge(entry: BufferedWrite): number {
  return ENTRY_OVERHEAD_BYTES + entry.key.length + (entry.value?.length ?? 0);
}
