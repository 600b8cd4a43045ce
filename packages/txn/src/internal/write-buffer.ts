import { compareBytes } from '@lockstep/locktree';

/** One buffered write: a put (`value` set) or a delete (`value` undefined). */
export interface BufferedWrite {
  readonly key: Uint8Array;
  readonly value: Uint8Array | undefined;
}

/** Bytes a buffered write is charged (keys, value, and a fixed overhead for the entry and its undo record). */
const ENTRY_OVERHEAD_BYTES = 64;

interface UndoRecord {
  readonly key: Uint8Array;
  /** The entry before the write, or undefined when the key had no buffered write. */
  readonly previous: BufferedWrite | undefined;
}

/**
 * A transaction's uncommitted writes, in key order, with an undo log for savepoints.
 *
 * Invariants: `entries` is sorted by key with no duplicates; `undo[i]` restores the state
 * before the i-th write; `bytes` is the charge of the current entries.
 *
 * A sorted array: lookups are binary searches, an insert moves the tail. Transactions of
 * the SQL workloads write tens of keys; a million-key transaction pays O(n) per new key
 * (documented limit; `maxWriteBytes` bounds it).
 */
export class WriteBuffer {
  #entries: BufferedWrite[] = [];
  #undo: UndoRecord[] = [];
  #bytes = 0;

  get size(): number {
    return this.#entries.length;
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
    const i = this.#find(key);
    const previous = i >= 0 ? this.#entries[i] : undefined;
    return this.#bytes - (previous === undefined ? 0 : charge(previous)) + ENTRY_OVERHEAD_BYTES + key.length + (value?.length ?? 0);
  }

  get(key: Uint8Array): BufferedWrite | undefined {
    const i = this.#find(key);
    return i >= 0 ? this.#entries[i] : undefined;
  }

  set(key: Uint8Array, value: Uint8Array | undefined): void {
    const entry: BufferedWrite = { key, value };
    const i = this.#find(key);
    if (i >= 0) {
      const previous = this.#entries[i]!;
      this.#undo.push({ key, previous });
      this.#bytes -= charge(previous);
      this.#entries[i] = entry;
    } else {
      this.#undo.push({ key, previous: undefined });
      this.#entries.splice(-i - 1, 0, entry);
    }
    this.#bytes += charge(entry);
  }

  /** Undoes every write after `mark` (newest first). */
  rollbackTo(mark: number): void {
    while (this.#undo.length > mark) {
      const { key, previous } = this.#undo.pop()!;
      const i = this.#find(key);
      if (i < 0) continue; // cannot happen: every undo record's key has an entry
      this.#bytes -= charge(this.#entries[i]!);
      if (previous === undefined) this.#entries.splice(i, 1);
      else {
        this.#entries[i] = previous;
        this.#bytes += charge(previous);
      }
    }
  }

  /**
   * The first entry after `key` in iteration order (forward: smallest key > key, or >= with
   * `inclusive`; reverse: largest key < key, or <=). `key` undefined: the first entry.
   */
  seek(key: Uint8Array | undefined, inclusive: boolean, reverse: boolean): BufferedWrite | undefined {
    const n = this.#entries.length;
    if (n === 0) return undefined;
    if (key === undefined) return reverse ? this.#entries[n - 1] : this.#entries[0];
    const i = this.#find(key);
    if (i >= 0) {
      if (inclusive) return this.#entries[i];
      return reverse ? this.#entries[i - 1] : this.#entries[i + 1];
    }
    const insertion = -i - 1;
    return reverse ? this.#entries[insertion - 1] : this.#entries[insertion];
  }

  entries(): readonly BufferedWrite[] {
    return this.#entries;
  }

  clear(): void {
    this.#entries = [];
    this.#undo = [];
    this.#bytes = 0;
  }

  /** Index of `key`, or -(insertion point) - 1. */
  #find(key: Uint8Array): number {
    let lo = 0;
    let hi = this.#entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareBytes(this.#entries[mid]!.key, key);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }
}

function charge(entry: BufferedWrite): number {
  return ENTRY_OVERHEAD_BYTES + entry.key.length + (entry.value?.length ?? 0);
}
