import { compareBounds, compareBytes, type Bound, type KeyComparator } from './bounds.js';
import { IntervalTreap, type RangeNode } from './internal/interval-treap.js';
import type { LockManager } from './lock-manager.js';
import type { LockMode, TryResult, TxnId } from './types.js';

/** @internal What a held-lock node stores. */
export interface HeldLock {
  readonly owner: TxnId;
  readonly mode: LockMode;
}

/** @internal A request waiting in a tree. */
export interface PendingRequest {
  readonly owner: TxnId;
  readonly tree: LockTree;
  readonly left: Bound;
  readonly right: Bound;
  readonly mode: LockMode;
  readonly startedMs: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  cancelTimer: (() => void) | undefined;
  /** Blockers last reported to the wait listener, sorted. */
  reported: TxnId[];
}

const compatible = (a: LockMode, b: LockMode): boolean => a === 'shared' && b === 'shared';

/**
 * The held locks and waiting requests of one index. Obtained from `LockManager.openTree`;
 * every method is a synchronous section (the only suspension is the wait inside
 * `acquire`), which is what makes wake-ups exact.
 */
export class LockTree {
  readonly indexId: number;
  readonly compare: KeyComparator;
  /** @internal */
  readonly held: IntervalTreap<HeldLock>;
  /** @internal FIFO: arrival order. */
  pending: PendingRequest[] = [];
  /** @internal */
  refs = 0;
  readonly #manager: LockManager;

  /** @internal Use `LockManager.openTree`. */
  constructor(manager: LockManager, indexId: number, compare: KeyComparator = compareBytes) {
    this.#manager = manager;
    this.indexId = indexId;
    this.compare = compare;
    this.held = new IntervalTreap<HeldLock>(compare);
  }

  /** Grants the lock if nothing is in the way; otherwise returns who is. Never waits. */
  tryAcquire(txn: TxnId, left: Bound, right: Bound, mode: LockMode): TryResult {
    return this.#manager.tryAcquireIn(this, txn, left, right, mode);
  }

  /**
   * Resolves once the lock is granted; rejects with LockWaitTimeoutError (1205),
   * DeadlockError (1213), LockWaitKilledError (1927) or LockMemoryExhaustedError (1206).
   */
  acquire(txn: TxnId, left: Bound, right: Bound, mode: LockMode, options: { readonly timeoutMs?: number } = {}): Promise<void> {
    return this.#manager.acquireIn(this, txn, left, right, mode, options.timeoutMs);
  }

  /** A point lock: `[key, key]`. */
  acquirePoint(txn: TxnId, key: Uint8Array, mode: LockMode, options: { readonly timeoutMs?: number } = {}): Promise<void> {
    return this.#manager.acquireIn(this, txn, key, key, mode, options.timeoutMs);
  }

  /** Releases `txn`'s locks on exactly `[left, right]` (both modes) and wakes whoever that frees. */
  release(txn: TxnId, left: Bound, right: Bound): number {
    return this.#manager.releaseIn(this, txn, left, right);
  }

  /** @internal Owners whose held locks overlap and are incompatible with the request, excluding the requester. */
  holderConflicts(txn: TxnId, left: Bound, right: Bound, mode: LockMode, into: Set<TxnId> | undefined): Set<TxnId> | undefined {
    let out = into;
    this.held.forEachOverlapping(left, right, (node) => {
      const lock = node.value;
      if (lock.owner !== txn && !(compatible(lock.mode, mode))) (out ??= new Set()).add(lock.owner);
      return true;
    });
    return out;
  }

  /** @internal True if `txn` holds any lock overlapping the range (an upgrade then jumps the queue). */
  holdsOverlapping(txn: TxnId, left: Bound, right: Bound): boolean {
    let found = false;
    this.held.forEachOverlapping(left, right, (node) => {
      if (node.value.owner === txn) found = true;
      return !found;
    });
    return found;
  }

  /** @internal True if `txn` already holds a lock covering [left, right] in `mode` or stronger. */
  covers(txn: TxnId, left: Bound, right: Bound, mode: LockMode): RangeNode<HeldLock> | undefined {
    let found: RangeNode<HeldLock> | undefined;
    this.held.forEachOverlapping(left, right, (node) => {
      const lock = node.value;
      if (
        lock.owner === txn &&
        (lock.mode === 'exclusive' || mode === 'shared') &&
        compareBounds(node.left, left, this.compare) <= 0 &&
        compareBounds(node.right, right, this.compare) >= 0
      ) {
        found = node;
        return false;
      }
      return true;
    });
    return found;
  }

  /** @internal Conflicts of a request with pending requests queued before position `before` (FIFO fairness). */
  pendingConflicts(txn: TxnId, left: Bound, right: Bound, mode: LockMode, before: number, into: Set<TxnId> | undefined): Set<TxnId> | undefined {
    let out = into;
    for (let i = 0; i < before && i < this.pending.length; i++) {
      const p = this.pending[i]!;
      if (p.owner === txn || compatible(p.mode, mode)) continue;
      if (compareBounds(p.left, right, this.compare) <= 0 && compareBounds(p.right, left, this.compare) >= 0) (out ??= new Set()).add(p.owner);
    }
    return out;
  }
}

