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
  /** Arrival order over the whole manager: the FIFO rule compares these. */
  readonly seq: number;
  /** This request's node in the tree's `pendingIndex`. */
  node: RangeNode<PendingRequest> | undefined;
  /** The bound on this wait (its deadline is `startedMs + timeoutMs`). */
  readonly timeoutMs: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  /** Blockers last reported to the wait listener, sorted. */
  reported: TxnId[];
  /** Whether this request takes part in deadlock detection (may be chosen to fail for a cycle). */
  readonly deadlockDetection: boolean;
}

/** Options of one awaited request. */
export interface AcquireOptions {
  /** Bound on this wait (default: the manager's `lockWaitTimeoutMs`). */
  readonly timeoutMs?: number;
  /**
   * Whether this request takes part in deadlock detection (default: the manager's
   * `deadlockDetection`). Off: its wait is never failed as a deadlock and a cycle it closes
   * fails the most recent waiting member that has detection on, if any (see the README).
   */
  readonly deadlockDetection?: boolean;
}

const compatible = (a: LockMode, b: LockMode): boolean => a === 'shared' && b === 'shared';

/** @internal What `examineHeld` found. */
export interface HeldScan {
  covered: boolean;
  ownsOverlap: boolean;
  conflicts: Set<TxnId> | undefined;
}

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
  /** @internal FIFO: arrival order (for status and invariant checks). */
  pending: PendingRequest[] = [];
  /** @internal The same requests by key range, so FIFO checks and wake-up passes visit only overlapping ones. */
  readonly pendingIndex: IntervalTreap<PendingRequest>;
  /** @internal */
  refs = 0;
  readonly #manager: LockManager;
  /** Reused result arrays of overlap walks (each emptied before its method returns; no walk re-enters). */
  readonly #scratch: RangeNode<HeldLock>[] = [];
  readonly #pendingScratch: RangeNode<PendingRequest>[] = [];

  /** @internal Use `LockManager.openTree`. */
  constructor(manager: LockManager, indexId: number, compare: KeyComparator = compareBytes) {
    this.#manager = manager;
    this.indexId = indexId;
    this.compare = compare;
    this.held = new IntervalTreap<HeldLock>(compare);
    this.pendingIndex = new IntervalTreap<PendingRequest>(compare);
  }

  /** Grants the lock if nothing is in the way; otherwise returns who is. Never waits. */
  tryAcquire(txn: TxnId, left: Bound, right: Bound, mode: LockMode): TryResult {
    return this.#manager.tryAcquireIn(this, txn, left, right, mode);
  }

  /**
   * Resolves once the lock is granted; rejects with LockWaitTimeoutError (1205),
   * DeadlockError (1213), LockWaitKilledError (1927) or LockMemoryExhaustedError (1206).
   */
  acquire(txn: TxnId, left: Bound, right: Bound, mode: LockMode, options: AcquireOptions = {}): Promise<void> {
    return this.#manager.acquireIn(this, txn, left, right, mode, options);
  }

  /** A point lock: `[key, key]`. */
  acquirePoint(txn: TxnId, key: Uint8Array, mode: LockMode, options: AcquireOptions = {}): Promise<void> {
    return this.#manager.acquireIn(this, txn, key, key, mode, options);
  }

  /** Releases `txn`'s locks on exactly `[left, right]` (both modes) and wakes whoever that frees. */
  release(txn: TxnId, left: Bound, right: Bound): number {
    return this.#manager.releaseIn(this, txn, left, right);
  }

  /**
   * @internal One walk over the held locks overlapping [left, right]: whether `txn` already
   * holds a lock covering the request in `mode` or stronger (the walk stops there), whether
   * it holds anything overlapping (an upgrade, which jumps the queue), and the other owners
   * whose locks are incompatible with the request.
   */
  examineHeld(txn: TxnId, left: Bound, right: Bound, mode: LockMode): HeldScan {
    const scan: HeldScan = { covered: false, ownsOverlap: false, conflicts: undefined };
    if (this.held.size === 0) return scan;
    const compare = this.compare;
    const nodes = this.#scratch;
    this.held.collectOverlapping(left, right, nodes);
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      const lock = node.value;
      if (lock.owner !== txn) {
        if (!compatible(lock.mode, mode)) (scan.conflicts ??= new Set()).add(lock.owner);
        continue;
      }
      scan.ownsOverlap = true;
      if ((lock.mode === 'exclusive' || mode === 'shared') && compareBounds(node.left, left, compare) <= 0 && compareBounds(node.right, right, compare) >= 0) {
        scan.covered = true;
        break;
      }
    }
    nodes.length = 0;
    return scan;
  }

  /** @internal Conflicts of a request with pending requests that arrived before `beforeSeq` (FIFO fairness). */
  pendingConflicts(txn: TxnId, left: Bound, right: Bound, mode: LockMode, beforeSeq: number, into: Set<TxnId> | undefined): Set<TxnId> | undefined {
    let out = into;
    const nodes = this.#pendingScratch;
    this.pendingIndex.collectOverlapping(left, right, nodes);
    for (let i = 0; i < nodes.length; i++) {
      const p = nodes[i]!.value;
      if (p.seq < beforeSeq && p.owner !== txn && !compatible(p.mode, mode)) (out ??= new Set()).add(p.owner);
    }
    nodes.length = 0;
    return out;
  }

  /** @internal Adds a request to the queue and the index. */
  enqueue(request: PendingRequest): void {
    this.pending.push(request);
    request.node = this.pendingIndex.insert(request.left, request.right, request);
  }

  /** @internal Removes a request from the queue and the index. */
  dequeue(request: PendingRequest): void {
    const at = this.pending.indexOf(request);
    if (at >= 0) this.pending.splice(at, 1);
    if (request.node !== undefined) this.pendingIndex.delete(request.node);
    request.node = undefined;
  }
}

