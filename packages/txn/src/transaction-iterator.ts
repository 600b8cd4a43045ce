import type { IteratorOptions, KvEngine, KvIterator, KvSnapshot } from '@lockstep/kv';
import { compareBounds, compareBytes, type Bound, type LockMode, type LockTree } from '@lockstep/locktree';
import type { WriteBuffer } from './internal/write-buffer.js';
import { indexRange, keySuccessor } from './key-layout.js';
import { lockBounds } from './internal/lock-bounds.js';
import type { LockingMode, ScanOptions, TxnEntry } from './types.js';

/** @internal What an iterator needs from its transaction (closures over its private state). */
export interface ScanContext {
  readonly engine: KvEngine;
  readonly writes: WriteBuffer;
  readonly lockingMode: LockingMode;
  /** Locking reads see the newest committed data after the lock (range mode, or read committed). */
  readonly readsLatestWhenLocking: boolean;
  /** The snapshot plain reads use; undefined: the newest state (read committed). */
  readSnapshot(): KvSnapshot | undefined;
  checkUsable(): void;
  tree(indexId: number): LockTree;
  lock(tree: LockTree, left: Bound, right: Bound, mode: LockMode): Promise<void>;
  checkSnapshot(key: Uint8Array): void;
  closed(iterator: TransactionIterator): void;
}

interface Edge {
  readonly key: Uint8Array;
  readonly inclusive: boolean;
}

interface Candidate {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  /** Written by this transaction (so already exclusively locked by it). */
  readonly own: boolean;
}

type KvRow = { readonly key: Uint8Array; readonly value: Uint8Array } | undefined;

const DONE: IteratorResult<TxnEntry, undefined> = { done: true, value: undefined };

/**
 * A scan of one index that merges the transaction's buffered writes with the engine.
 *
 * - Plain: reads the transaction's read snapshot; takes no lock.
 * - Locking, range mode ("gap locking"): before returning a key it holds a lock on the
 *   whole stretch from the scan's start (or the previous key) up to that key; at the end
 *   it locks up to the scan's bound. After each new lock it reopens the engine cursor on
 *   the newest committed state just past the last key returned (the iterator-refresh
 *   problem): a key committed into the stretch before the lock was granted is then seen,
 *   and none can be committed into it afterwards — no phantoms.
 * - Locking, point mode: locks each key it returns (not the gaps). With repeatable read it
 *   reads the snapshot and applies the snapshot check to each key; with read committed it
 *   re-reads the newest state after each lock.
 *
 * Invariants: `last` only moves in scan order; in gap mode every key between the scan's
 * start and `lockedTo` is covered by this transaction's locks; `kvHead`, when fetched, is
 * the engine's first entry after `last`.
 */
export class TransactionIterator implements AsyncIterableIterator<TxnEntry, undefined> {
  readonly indexId: number;
  readonly #ctx: ScanContext;
  readonly #reverse: boolean;
  readonly #lockMode: LockMode | undefined;
  readonly #gapLocks: boolean;
  readonly #readsLatest: boolean;
  readonly #lower: Edge;
  readonly #upper: Edge | undefined;
  readonly #lockLow: Bound;
  readonly #lockHigh: Bound;
  readonly #empty: boolean;
  #kv: KvIterator | undefined;
  /** null: not fetched since the last move. */
  #kvHead: KvRow | null = null;
  #last: Uint8Array | undefined;
  #lockedTo: Bound | undefined;
  #pointLocked: Uint8Array | undefined;
  #closed = false;

  /** @internal Use `Transaction.scan`. */
  constructor(ctx: ScanContext, indexId: number, options: ScanOptions) {
    const { left, right } = lockBounds(indexId, options);
    this.indexId = indexId;
    this.#ctx = ctx;
    this.#reverse = options.reverse === true;
    this.#lockMode = options.lock;
    this.#gapLocks = options.lock !== undefined && ctx.lockingMode === 'range';
    this.#readsLatest = options.lock !== undefined && ctx.readsLatestWhenLocking;
    const index = indexRange(indexId);
    this.#lower = options.gte !== undefined ? { key: options.gte, inclusive: true } : options.gt !== undefined ? { key: options.gt, inclusive: false } : { key: index.gte, inclusive: true };
    this.#upper =
      options.lte !== undefined ? { key: options.lte, inclusive: true } : options.lt !== undefined ? { key: options.lt, inclusive: false } : index.lt === undefined ? undefined : { key: index.lt, inclusive: false };
    this.#lockLow = left;
    this.#lockHigh = right;
    this.#empty = this.#upper !== undefined && (compareBytes(this.#lower.key, this.#upper.key) > 0 || (compareBytes(this.#lower.key, this.#upper.key) === 0 && !(this.#lower.inclusive && this.#upper.inclusive)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next entry in scan order, after taking the locks the scan needs. */
  async next(): Promise<IteratorResult<TxnEntry, undefined>> {
    if (this.#closed || this.#empty) return DONE;
    if (this.#lockMode === undefined) {
      this.#ctx.checkUsable();
      const candidate = this.#peek();
      if (candidate === undefined) return DONE;
      return this.#consume(candidate);
    }
    return this.#gapLocks ? this.#nextGapLocked(this.#lockMode) : this.#nextPointLocked(this.#lockMode);
  }

  /**
   * Re-reads from just after the last key returned: the newest committed state for a
   * locking scan, the transaction's current read snapshot for a plain one. Use after the
   * transaction took a lock the scan should see through.
   */
  refresh(): void {
    this.#reopen();
  }

  /** Releases the engine cursor. Idempotent; the transaction closes its iterators when it ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#kv?.close();
    this.#kv = undefined;
    this.#ctx.closed(this);
  }

  return(): Promise<IteratorResult<TxnEntry, undefined>> {
    this.close();
    return Promise.resolve(DONE);
  }

  async #nextGapLocked(mode: LockMode): Promise<IteratorResult<TxnEntry, undefined>> {
    const tree = this.#ctx.tree(this.indexId);
    for (;;) {
      this.#ctx.checkUsable();
      const candidate = this.#peek();
      const target: Bound = candidate?.key ?? (this.#reverse ? this.#lockLow : this.#lockHigh);
      if (this.#covers(target)) {
        if (candidate === undefined) return DONE;
        return this.#consume(candidate);
      }
      const lockedTo = this.#lockedTo;
      let from: Bound;
      if (lockedTo === undefined) from = this.#reverse ? this.#lockHigh : this.#lockLow;
      else if (this.#reverse || !(lockedTo instanceof Uint8Array)) from = lockedTo; // reverse: overlaps the previous lock at one (own) point
      else from = keySuccessor(lockedTo);
      if (this.#reverse) await this.#ctx.lock(tree, target, from, mode);
      else await this.#ctx.lock(tree, from, target, mode);
      this.#lockedTo = target;
      this.#reopen();
    }
  }

  async #nextPointLocked(mode: LockMode): Promise<IteratorResult<TxnEntry, undefined>> {
    const tree = this.#ctx.tree(this.indexId);
    for (;;) {
      this.#ctx.checkUsable();
      const candidate = this.#peek();
      if (candidate === undefined) return DONE;
      if (candidate.own || (this.#pointLocked !== undefined && compareBytes(this.#pointLocked, candidate.key) === 0)) return this.#consume(candidate);
      await this.#ctx.lock(tree, candidate.key, candidate.key, mode);
      if (this.#readsLatest) {
        // Read committed: look again at the newest state; the loop returns the key if it is still first.
        this.#pointLocked = candidate.key;
        this.#reopen();
        continue;
      }
      this.#ctx.checkSnapshot(candidate.key);
      return this.#consume(candidate);
    }
  }

  #covers(target: Bound): boolean {
    const lockedTo = this.#lockedTo;
    if (lockedTo === undefined) return false;
    const c = compareBounds(target, lockedTo, compareBytes);
    return this.#reverse ? c >= 0 : c <= 0;
  }

  #consume(candidate: Candidate): IteratorResult<TxnEntry, undefined> {
    this.#last = candidate.key;
    this.#pointLocked = undefined;
    if (this.#kvHead != null && compareBytes(this.#kvHead.key, candidate.key) === 0) this.#kvHead = null;
    return { done: false, value: { key: candidate.key, value: candidate.value } };
  }

  /** The first visible entry after `last` in scan order: own writes win over the engine, own deletes hide keys. */
  #peek(): Candidate | undefined {
    let position = this.#last;
    for (;;) {
      const row = this.#kvNext();
      const own = this.#ownAfter(position);
      if (own === undefined) return row === undefined ? undefined : { key: row.key, value: row.value, own: false };
      const c = row === undefined ? -1 : this.#order(own.key, row.key);
      if (c > 0) return { key: row!.key, value: row!.value, own: false };
      if (own.value !== undefined) return { key: own.key, value: own.value, own: true };
      // An own delete: the key is hidden; skip the engine's version of it too.
      if (c === 0) this.#kvHead = null;
      position = own.key;
    }
  }

  #order(a: Uint8Array, b: Uint8Array): number {
    const c = compareBytes(a, b);
    return this.#reverse ? -c : c;
  }

  #kvNext(): KvRow {
    if (this.#kvHead === null) {
      this.#kv ??= this.#openKv();
      const row = this.#kv.next();
      this.#kvHead = row;
      return row;
    }
    return this.#kvHead;
  }

  /** The transaction's first buffered write after `position` (or from the scan's start) within the bounds. */
  #ownAfter(position: Uint8Array | undefined): { readonly key: Uint8Array; readonly value: Uint8Array | undefined } | undefined {
    const writes = this.#ctx.writes;
    if (writes.size === 0) return undefined;
    let entry;
    if (position !== undefined) entry = writes.seek(position, false, this.#reverse);
    else if (!this.#reverse) entry = writes.seek(this.#lower.key, this.#lower.inclusive, false);
    else entry = this.#upper === undefined ? writes.seek(undefined, true, true) : writes.seek(this.#upper.key, this.#upper.inclusive, true);
    if (entry === undefined) return undefined;
    const edge = this.#reverse ? this.#lower : this.#upper;
    if (edge !== undefined) {
      const c = compareBytes(entry.key, edge.key);
      const outside = this.#reverse ? c < 0 || (c === 0 && !edge.inclusive) : c > 0 || (c === 0 && !edge.inclusive);
      if (outside) return undefined;
    }
    return entry;
  }

  #reopen(): void {
    this.#kv?.close();
    this.#kv = undefined;
    this.#kvHead = null;
  }

  /** An engine cursor from just after `last` to the scan's far bound. */
  #openKv(): KvIterator {
    const last = this.#last;
    const lower: Edge = !this.#reverse && last !== undefined ? { key: last, inclusive: false } : this.#lower;
    const upper: Edge | undefined = this.#reverse && last !== undefined ? { key: last, inclusive: false } : this.#upper;
    const snapshot = this.#lockMode === undefined || !this.#readsLatest ? this.#ctx.readSnapshot() : undefined;
    const options: IteratorOptions = {
      ...(lower.inclusive ? { gte: lower.key } : { gt: lower.key }),
      ...(upper === undefined ? {} : upper.inclusive ? { lte: upper.key } : { lt: upper.key }),
      ...(this.#reverse ? { reverse: true } : {}),
      ...(snapshot === undefined ? {} : { snapshot }),
    };
    return this.#ctx.engine.iterator(options);
  }
}
