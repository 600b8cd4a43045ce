import { KvClosedError } from '../errors/kv-closed-error.js';
import { KvInvalidArgumentError } from '../errors/kv-invalid-argument-error.js';
import type { IteratorOptions, KvIterator } from '../types.js';
import type { Cursor } from './bplus-tree.js';
import { compareBytes } from './compare-bytes.js';
import { versionAt, type KeyRecord } from './key-record.js';
import type { VersionedStore } from './versioned-store.js';

export interface IteratorEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** How an iterator reads: a pinned sequence it owns (implicit snapshot) or one it borrows. */
export interface IteratorPin {
  /** The sequence to read at; throws KvClosedError when a borrowed snapshot was released. */
  sequence(): number;
  /** Moves an owned pin to the newest sequence; throws for a borrowed snapshot. */
  refresh(): void;
  release(): void;
}

/**
 * A cursor over one sequence of the versioned store.
 *
 * Position is kept as an anchor key (the last key returned, or a seek target) plus a cached
 * leaf cursor that is valid only while the tree's structure version is unchanged; after an
 * insert or removal elsewhere the cursor is found again from the anchor in O(log n). That is
 * what makes `refresh()` cheap and exact: it changes the sequence and drops the cache, and
 * the next `next()` continues after the last key returned, as the newest state has it.
 */
export class StoreIterator implements KvIterator {
  readonly #store: VersionedStore;
  readonly #pin: IteratorPin;
  readonly #reverse: boolean;
  readonly #lower: Uint8Array | undefined;
  readonly #lowerExclusive: boolean;
  readonly #upper: Uint8Array | undefined;
  readonly #upperExclusive: boolean;
  #anchor: Uint8Array | undefined = undefined;
  #anchorExclusive = false;
  readonly #cursor: Cursor = { leaf: undefined, index: 0 };
  #cursorVersion = -1;
  #closed = false;
  readonly #onClose: () => void;

  constructor(store: VersionedStore, options: IteratorOptions, pin: IteratorPin, onClose: () => void) {
    this.#store = store;
    this.#pin = pin;
    this.#onClose = onClose;
    this.#reverse = options.reverse === true;
    for (const name of ['gt', 'gte', 'lt', 'lte'] as const) {
      const bound = options[name];
      if (bound !== undefined && !(bound instanceof Uint8Array)) throw new KvInvalidArgumentError(`iterator bound ${name} must be a Uint8Array`);
    }
    this.#lower = options.gt ?? options.gte;
    this.#lowerExclusive = options.gt !== undefined;
    this.#upper = options.lt ?? options.lte;
    this.#upperExclusive = options.lt !== undefined;
  }

  next(): IteratorEntry | undefined {
    const record = this.#advance();
    return record === undefined ? undefined : { key: record.key, value: this.#value! };
  }

  /** Like `next()`, with the record and the sequence of the version returned (for checkpoints). */
  nextRecord(): { key: Uint8Array; value: Uint8Array; seq: number; record: KeyRecord } | undefined {
    const record = this.#advance();
    return record === undefined ? undefined : { key: record.key, value: this.#value!, seq: this.#valueSeq, record };
  }

  // The version #advance found, kept in fields so a step allocates nothing itself.
  #value: Uint8Array | undefined;
  #valueSeq = 0;

  /** Moves to the next visible record within the bounds; undefined at the end. */
  #advance(): KeyRecord | undefined {
    if (this.#closed) throw new KvClosedError('iterator');
    const seq = this.#pin.sequence();
    const tree = this.#store.tree;
    if (this.#cursorVersion !== tree.structureVersion) this.#position();
    const cursor = this.#cursor;
    for (;;) {
      const leaf = cursor.leaf;
      if (leaf === undefined) return undefined;
      const record = leaf.entries[cursor.index]!;
      if (this.#reverse) {
        if (this.#lower !== undefined) {
          const c = compareBytes(record.key, this.#lower);
          if (c < 0 || (c === 0 && this.#lowerExclusive)) return undefined;
        }
        if (--cursor.index < 0) {
          cursor.leaf = leaf.prev;
          cursor.index = cursor.leaf === undefined ? 0 : cursor.leaf.entries.length - 1;
        }
      } else {
        if (this.#upper !== undefined) {
          const c = compareBytes(record.key, this.#upper);
          if (c > 0 || (c === 0 && this.#upperExclusive)) return undefined;
        }
        if (++cursor.index >= leaf.entries.length) {
          cursor.leaf = leaf.next;
          cursor.index = 0;
        }
      }
      const version = seq >= record.seq ? record : versionAt(record, seq);
      if (version?.value !== undefined) {
        this.#anchor = record.key;
        this.#anchorExclusive = true;
        this.#value = version.value;
        this.#valueSeq = version.seq;
        return record;
      }
    }
  }

  seek(target: Uint8Array): void {
    if (this.#closed) throw new KvClosedError('iterator');
    if (!(target instanceof Uint8Array)) throw new KvInvalidArgumentError('seek target must be a Uint8Array');
    // Clamp into the bounds so the cursor never starts outside them.
    const bound = this.#reverse ? this.#upper : this.#lower;
    const boundExclusive = this.#reverse ? this.#upperExclusive : this.#lowerExclusive;
    const c = bound === undefined ? 0 : compareBytes(target, bound);
    if (bound !== undefined && (this.#reverse ? c > 0 : c < 0 || (c === 0 && boundExclusive))) {
      this.#anchor = bound;
      this.#anchorExclusive = boundExclusive;
    } else if (bound !== undefined && c === 0) {
      this.#anchor = bound;
      this.#anchorExclusive = boundExclusive;
    } else {
      this.#anchor = target;
      this.#anchorExclusive = false;
    }
    this.#cursorVersion = -1;
  }

  refresh(): void {
    if (this.#closed) throw new KvClosedError('iterator');
    this.#pin.refresh();
    this.#cursorVersion = -1;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pin.release();
    this.#onClose();
  }

  [Symbol.iterator](): Iterator<IteratorEntry> {
    return {
      next: (): IteratorResult<IteratorEntry> => {
        const entry = this.next();
        return entry === undefined ? { done: true, value: undefined } : { done: false, value: entry };
      },
    };
  }

  /** Closes without releasing (the store is closing and drops every pin itself). */
  detach(): void {
    this.#closed = true;
  }

  #position(): void {
    const tree = this.#store.tree;
    const cursor = this.#cursor;
    if (this.#reverse) {
      const start = this.#anchor ?? this.#upper;
      if (start === undefined) tree.seekLast(cursor);
      else tree.seekBackward(cursor, start, this.#anchor === undefined ? this.#upperExclusive : this.#anchorExclusive);
    } else {
      const start = this.#anchor ?? this.#lower;
      if (start === undefined) tree.seekFirst(cursor);
      else tree.seekForward(cursor, start, this.#anchor === undefined ? this.#lowerExclusive : this.#anchorExclusive);
    }
    this.#cursorVersion = tree.structureVersion;
  }
}
