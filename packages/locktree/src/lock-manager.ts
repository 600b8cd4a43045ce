import { invariant, systemClock, type Clock } from '@lockstep/base';
import { boundBytes, compareBounds, compareBytes, formatBound, type Bound, type KeyComparator } from './bounds.js';
import { DeadlockError } from './errors/deadlock-error.js';
import { LockMemoryExhaustedError } from './errors/lock-memory-exhausted-error.js';
import { LockWaitKilledError } from './errors/lock-wait-killed-error.js';
import { LockWaitTimeoutError } from './errors/lock-wait-timeout-error.js';
import type { RangeNode } from './internal/interval-treap.js';
import { LockTree, type HeldLock, type PendingRequest } from './lock-tree.js';
import type { HeldLockStatus, HeldRange, LockCounters, LockManagerStatus, LockMode, PendingRequestStatus, TryResult, TxnId, WaitListener } from './types.js';

/**
 * The lock manager: one per server, one `LockTree` per index.
 *
 * Fairness rule: a request is granted when no other transaction holds an incompatible
 * overlapping lock and no request of another transaction queued earlier in the same tree
 * overlaps it incompatibly — except that a transaction already holding an overlapping
 * lock (an upgrade) is only held back by holders. So a writer is never starved by a
 * stream of later readers, and an upgrade cannot deadlock against a queued writer.
 *
 * Invariants (checked by `assertNoGrantablePending`, which the tests call after every
 * operation): no pending request is grantable under the rule; every transaction has at
 * most one pending request; each transaction's record of held ranges equals what the trees
 * hold; `memoryBytes` is the sum over held nodes.
 *
 * Why no wake-up can be lost: conflict detection and registration of a waiter happen in
 * one synchronous section (`acquireIn`), and every operation that can make a waiter
 * grantable (release, release-all, timeout, kill, deadlock failure, escalation) runs the
 * retry pass over that tree before it returns, granting in FIFO order. Nobody relies on
 * another caller's pass.
 */
export interface LockManagerOptions {
  /** Memory all held locks may use before escalation (default 64 MiB). */
  readonly memoryLimitBytes?: number;
  /** Default bound on a wait (default 50 000 ms, innodb_lock_wait_timeout). */
  readonly lockWaitTimeoutMs?: number;
  readonly deadlockDetection?: boolean;
  /** Transactions visited by one deadlock search before it gives up and reports a deadlock (default 1000). */
  readonly maxDeadlockSearch?: number;
  readonly onWait?: WaitListener;
  readonly clock?: Clock;
}

/** Estimated bytes of one held lock beyond its keys (node, record entry). */
const NODE_OVERHEAD_BYTES = 120;

interface TxnRecord {
  readonly id: TxnId;
  readonly held: Map<LockTree, Set<RangeNode<HeldLock>>>;
  pending: PendingRequest | undefined;
  killedReason: string | undefined;
}

const RESOLVED: Promise<void> = Promise.resolve();

export class LockManager {
  readonly counters: LockCounters = { acquisitions: 0, waits: 0, waitTimeMs: 0, timeouts: 0, deadlocks: 0, kills: 0, escalations: 0, memoryRefusals: 0 };
  readonly #trees = new Map<number, LockTree>();
  readonly #txns = new Map<TxnId, TxnRecord>();
  readonly #clock: Clock;
  readonly #memoryLimitBytes: number;
  readonly #lockWaitTimeoutMs: number;
  readonly #deadlockDetection: boolean;
  readonly #maxDeadlockSearch: number;
  #onWait: WaitListener | undefined;
  #memoryBytes = 0;
  #heldLocks = 0;
  #overBudget = false;
  #retrying = new Set<LockTree>();
  #retryAgain = new Set<LockTree>();

  constructor(options: LockManagerOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#memoryLimitBytes = options.memoryLimitBytes ?? 64 * 1024 * 1024;
    this.#lockWaitTimeoutMs = options.lockWaitTimeoutMs ?? 50_000;
    this.#deadlockDetection = options.deadlockDetection ?? true;
    this.#maxDeadlockSearch = options.maxDeadlockSearch ?? 1000;
    this.#onWait = options.onWait;
  }

  /** Sets (or clears) the wait listener. */
  set onWait(listener: WaitListener | undefined) {
    this.#onWait = listener;
  }

  /** The tree of `indexId`, created on first use; pair every call with `closeTree`. */
  openTree(indexId: number, compare: KeyComparator = compareBytes): LockTree {
    let tree = this.#trees.get(indexId);
    if (tree === undefined) {
      tree = new LockTree(this, indexId, compare);
      this.#trees.set(indexId, tree);
    }
    tree.refs += 1;
    return tree;
  }

  /** Drops a reference; the tree goes away after its last reference, when it is empty. */
  closeTree(tree: LockTree): void {
    invariant(tree.refs > 0, () => `closeTree(${tree.indexId}) without a matching openTree`);
    tree.refs -= 1;
    if (tree.refs === 0 && tree.held.size === 0 && tree.pending.length === 0) this.#trees.delete(tree.indexId);
  }

  get memoryBytes(): number {
    return this.#memoryBytes;
  }

  /** Releases every lock of `txn` (commit or rollback), cancels its wait, forgets its kill mark. */
  releaseAll(txn: TxnId): void {
    const record = this.#txns.get(txn);
    if (record === undefined) return;
    this.#txns.delete(txn);
    if (record.pending !== undefined) this.#cancel(record, new LockWaitKilledError(txn, 'its locks were released while it waited'));
    const touched: LockTree[] = [];
    for (const [tree, nodes] of record.held) {
      for (const node of nodes) this.#removeNode(tree, node);
      touched.push(tree);
    }
    for (const tree of touched) this.#retry(tree);
  }

  /**
   * Kills `txn`'s lock waits: a pending request is rejected at once with
   * LockWaitKilledError (1927), and until `releaseAll(txn)` every request of `txn` that
   * would wait fails the same way (requests that need no wait are still granted, so a
   * killed transaction can finish rolling back). Returns true if a wait was rejected.
   */
  kill(txn: TxnId, reason = 'killed'): boolean {
    const record = this.#record(txn);
    record.killedReason = reason;
    if (record.pending === undefined) return false;
    this.counters.kills += 1;
    const tree = record.pending.tree;
    this.#cancel(record, new LockWaitKilledError(txn, reason));
    this.#retry(tree);
    return true;
  }

  /** The ranges `txn` holds, per index, as the trees hold them (escalation included). */
  heldRanges(txn: TxnId): HeldRange[] {
    const out: HeldRange[] = [];
    for (const [tree, nodes] of this.#txns.get(txn)?.held ?? []) {
      for (const node of nodes) out.push({ indexId: tree.indexId, left: node.left, right: node.right, mode: node.value.mode });
    }
    return out;
  }

  /** True if `txn` is waiting for a lock. */
  isWaiting(txn: TxnId): boolean {
    return this.#txns.get(txn)?.pending !== undefined;
  }

  status(): LockManagerStatus {
    const held: HeldLockStatus[] = [];
    const pending: PendingRequestStatus[] = [];
    const now = this.#clock.now();
    for (const tree of this.#trees.values()) {
      for (const node of tree.held) held.push({ indexId: tree.indexId, left: node.left, right: node.right, mode: node.value.mode, owner: node.value.owner });
      for (const p of tree.pending) {
        pending.push({ indexId: tree.indexId, left: p.left, right: p.right, mode: p.mode, owner: p.owner, waitingMs: now - p.startedMs, blockers: p.reported });
      }
    }
    return { held, pending, counters: { ...this.counters }, memoryBytes: this.#memoryBytes, memoryLimitBytes: this.#memoryLimitBytes, heldLocks: this.#heldLocks };
  }

  /** The invariants, checked in full (costly: for tests and debugging). Throws InvariantError. */
  assertNoGrantablePending(): void {
    let bytes = 0;
    let count = 0;
    for (const tree of this.#trees.values()) {
      for (const node of tree.held) {
        bytes += NODE_OVERHEAD_BYTES + boundBytes(node.left) + boundBytes(node.right);
        count += 1;
        const set = this.#txns.get(node.value.owner)?.held.get(tree);
        invariant(set?.has(node) === true, () => `held lock of txn ${node.value.owner} missing from its record`);
      }
      tree.pending.forEach((p, i) => {
        const blockers = this.#conflicts(tree, p.owner, p.left, p.right, p.mode, i);
        invariant(blockers !== undefined && blockers.size > 0, () => `txn ${p.owner} waits on index ${tree.indexId} [${formatBound(p.left)}, ${formatBound(p.right)}] although it is grantable`);
        invariant(this.#txns.get(p.owner)?.pending === p, () => `pending request of txn ${p.owner} is not its record's`);
      });
    }
    for (const record of this.#txns.values()) {
      for (const [tree, nodes] of record.held) for (const node of nodes) invariant(node.value.owner === record.id && tree.held.size > 0, 'record lists a foreign lock');
    }
    invariant(bytes === this.#memoryBytes, () => `memory ${this.#memoryBytes} != ${bytes}`);
    invariant(count === this.#heldLocks, () => `held count ${this.#heldLocks} != ${count}`);
  }

  // ---- used by LockTree --------------------------------------------------------------

  /** @internal */
  tryAcquireIn(tree: LockTree, txn: TxnId, left: Bound, right: Bound, mode: LockMode): TryResult {
    this.#checkRange(tree, left, right);
    if (tree.covers(txn, left, right, mode) !== undefined) return { granted: true };
    const conflicts = this.#conflicts(tree, txn, left, right, mode, tree.pending.length);
    if (conflicts !== undefined) return { granted: false, conflicts: [...conflicts].sort((a, b) => a - b) };
    if (this.#overBudget) {
      this.counters.memoryRefusals += 1;
      throw new LockMemoryExhaustedError(this.#memoryBytes, this.#memoryLimitBytes);
    }
    this.#grantNow(tree, txn, left, right, mode);
    return { granted: true };
  }

  /** @internal */
  acquireIn(tree: LockTree, txn: TxnId, left: Bound, right: Bound, mode: LockMode, timeoutMs: number | undefined): Promise<void> {
    let conflicts: Set<TxnId> | undefined;
    try {
      this.#checkRange(tree, left, right);
      if (tree.covers(txn, left, right, mode) !== undefined) return RESOLVED;
      conflicts = this.#conflicts(tree, txn, left, right, mode, tree.pending.length);
      if (conflicts === undefined) {
        if (this.#overBudget) {
          this.counters.memoryRefusals += 1;
          throw new LockMemoryExhaustedError(this.#memoryBytes, this.#memoryLimitBytes);
        }
        this.#grantNow(tree, txn, left, right, mode);
        return RESOLVED;
      }
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const record = this.#record(txn);
    invariant(record.pending === undefined, () => `txn ${txn} asked for a second lock while already waiting`);
    if (record.killedReason !== undefined) {
      this.counters.kills += 1;
      return Promise.reject(new LockWaitKilledError(txn, record.killedReason));
    }
    const blockers = [...conflicts].sort((a, b) => a - b);
    if (this.#deadlockDetection) {
      const cycle = this.#findCycle(txn, blockers);
      if (cycle !== undefined) {
        this.counters.deadlocks += 1;
        return Promise.reject(new DeadlockError(txn, cycle.path, cycle.bounded));
      }
    }
    // Registration happens in this same synchronous section as the conflict check.
    return new Promise<void>((resolve, reject) => {
      const request: PendingRequest = { owner: txn, tree, left, right, mode, startedMs: this.#clock.now(), resolve, reject, cancelTimer: undefined, reported: blockers };
      tree.pending.push(request);
      record.pending = request;
      this.counters.waits += 1;
      const bound = timeoutMs ?? this.#lockWaitTimeoutMs;
      const timer = this.#clock.setTimer(bound, () => {
        if (record.pending !== request) return;
        this.counters.timeouts += 1;
        this.#cancel(record, new LockWaitTimeoutError(txn, bound, request.reported));
        this.#retry(tree);
      });
      request.cancelTimer = () => { timer.cancel(); };
      this.#onWait?.(txn, blockers, tree.indexId);
    });
  }

  /** @internal */
  releaseIn(tree: LockTree, txn: TxnId, left: Bound, right: Bound): number {
    const nodes = this.#txns.get(txn)?.held.get(tree);
    if (nodes === undefined) return 0;
    let released = 0;
    for (const node of [...nodes]) {
      if (compareBounds(node.left, left, tree.compare) === 0 && compareBounds(node.right, right, tree.compare) === 0) {
        this.#removeNode(tree, node);
        released += 1;
      }
    }
    if (released > 0) this.#retry(tree);
    return released;
  }

  // ---- internals ---------------------------------------------------------------------

  #record(txn: TxnId): TxnRecord {
    let record = this.#txns.get(txn);
    if (record === undefined) {
      record = { id: txn, held: new Map(), pending: undefined, killedReason: undefined };
      this.#txns.set(txn, record);
    }
    return record;
  }

  #checkRange(tree: LockTree, left: Bound, right: Bound): void {
    invariant(compareBounds(left, right, tree.compare) <= 0, () => `lock range [${formatBound(left)}, ${formatBound(right)}] has left > right`);
  }

  /** Holders in the way, plus (FIFO) earlier queued requests in the way unless this is an upgrade. */
  #conflicts(tree: LockTree, txn: TxnId, left: Bound, right: Bound, mode: LockMode, queuedBefore: number): Set<TxnId> | undefined {
    const conflicts = tree.holderConflicts(txn, left, right, mode, undefined);
    if (queuedBefore === 0 || tree.holdsOverlapping(txn, left, right)) return conflicts;
    return tree.pendingConflicts(txn, left, right, mode, queuedBefore, conflicts);
  }

  /**
   * A grant without waiting. Under the fairness rule only an upgrade can be granted over
   * queued requests, and it may add a blocker to them: re-examine so reports stay exact.
   */
  #grantNow(tree: LockTree, txn: TxnId, left: Bound, right: Bound, mode: LockMode): void {
    this.#grant(tree, this.#record(txn), left, right, mode);
    if (tree.pending.length > 0) this.#retry(tree);
  }

  #grant(tree: LockTree, record: TxnRecord, left: Bound, right: Bound, mode: LockMode): void {
    const node = tree.held.insert(left, right, { owner: record.id, mode });
    let nodes = record.held.get(tree);
    if (nodes === undefined) {
      nodes = new Set();
      record.held.set(tree, nodes);
    }
    nodes.add(node);
    this.#memoryBytes += NODE_OVERHEAD_BYTES + boundBytes(left) + boundBytes(right);
    this.#heldLocks += 1;
    this.counters.acquisitions += 1;
    if (this.#memoryBytes > this.#memoryLimitBytes) this.#escalate();
  }

  #removeNode(tree: LockTree, node: RangeNode<HeldLock>): void {
    const removed = tree.held.delete(node);
    invariant(removed, 'released a lock the tree does not hold');
    this.#txns.get(node.value.owner)?.held.get(tree)?.delete(node);
    this.#memoryBytes -= NODE_OVERHEAD_BYTES + boundBytes(node.left) + boundBytes(node.right);
    this.#heldLocks -= 1;
    if (this.#overBudget && this.#memoryBytes <= this.#memoryLimitBytes) this.#overBudget = false;
  }

  /** Removes a pending request and rejects it; the caller runs the retry pass. */
  #cancel(record: TxnRecord, error: unknown): void {
    const request = record.pending;
    if (request === undefined) return;
    record.pending = undefined;
    request.cancelTimer?.();
    const tree = request.tree;
    tree.pending = tree.pending.filter((p) => p !== request);
    this.counters.waitTimeMs += this.#clock.now() - request.startedMs;
    request.reject(error);
  }

  /**
   * Grants, in FIFO order, every pending request of `tree` that has become grantable,
   * then reports changed blocker sets (and fails requests that now close a cycle).
   * Re-entrant calls (a listener that kills) are folded into the running pass.
   */
  #retry(tree: LockTree): void {
    if (this.#retrying.has(tree)) {
      this.#retryAgain.add(tree);
      return;
    }
    this.#retrying.add(tree);
    const reports: [PendingRequest, TxnId[]][] = [];
    try {
      do {
        this.#retryAgain.delete(tree);
        reports.length = 0;
        for (let i = 0; i < tree.pending.length; ) {
          const p = tree.pending[i]!;
          const blockers = this.#conflicts(tree, p.owner, p.left, p.right, p.mode, i);
          if (blockers === undefined) {
            tree.pending.splice(i, 1);
            const record = this.#txns.get(p.owner)!;
            record.pending = undefined;
            p.cancelTimer?.();
            this.counters.waitTimeMs += this.#clock.now() - p.startedMs;
            this.#grant(tree, record, p.left, p.right, p.mode);
            p.resolve();
            continue;
          }
          const sorted = [...blockers].sort((a, b) => a - b);
          if (!sameMembers(sorted, p.reported)) reports.push([p, sorted]);
          i += 1;
        }
      } while (this.#retryAgain.has(tree));
    } finally {
      this.#retrying.delete(tree);
    }
    for (const [request, blockers] of reports) {
      if (this.#txns.get(request.owner)?.pending !== request) continue;
      request.reported = blockers;
      if (this.#deadlockDetection) {
        const cycle = this.#findCycle(request.owner, blockers);
        if (cycle !== undefined) {
          this.counters.deadlocks += 1;
          this.#cancel(this.#txns.get(request.owner)!, new DeadlockError(request.owner, cycle.path, cycle.bounded));
          this.#retry(tree);
          continue;
        }
      }
      this.#onWait?.(request.owner, blockers, tree.indexId);
    }
  }

  /** Depth-first search of the wait-for graph from `blockers` back to `txn`, bounded. */
  #findCycle(txn: TxnId, blockers: readonly TxnId[]): { path: TxnId[]; bounded: boolean } | undefined {
    const visited = new Set<TxnId>();
    const stack: { id: TxnId; path: TxnId[] }[] = blockers.map((id) => ({ id, path: [txn, id] }));
    while (stack.length > 0) {
      const { id, path } = stack.pop()!;
      if (id === txn) return { path, bounded: false };
      if (visited.has(id)) continue;
      visited.add(id);
      if (visited.size > this.#maxDeadlockSearch) return { path, bounded: true };
      const waiting = this.#txns.get(id)?.pending;
      if (waiting === undefined) continue;
      for (const next of waiting.reported) stack.push({ id: next, path: [...path, next] });
    }
    return undefined;
  }

  /**
   * Escalation: in every tree, each maximal run of consecutive held locks (in key order)
   * with the same owner and mode becomes one lock covering the run. Nothing of another
   * transaction lies inside a run, so no current holder gains a conflict; owners' records
   * are rewritten in the same step. Pending requests are re-examined for new blockers.
   */
  #escalate(): void {
    this.counters.escalations += 1;
    for (const tree of this.#trees.values()) {
      let run: RangeNode<HeldLock>[] = [];
      const runs: RangeNode<HeldLock>[][] = [];
      for (const node of tree.held) {
        const first = run[0];
        if (first !== undefined && (first.value.owner !== node.value.owner || first.value.mode !== node.value.mode)) {
          if (run.length > 1) runs.push(run);
          run = [];
        }
        run.push(node);
      }
      if (run.length > 1) runs.push(run);
      for (const nodes of runs) {
        const owner = this.#txns.get(nodes[0]!.value.owner)!;
        const mode = nodes[0]!.value.mode;
        let right = nodes[0]!.right;
        for (const n of nodes) if (compareBounds(n.right, right, tree.compare) > 0) right = n.right;
        const left = nodes[0]!.left;
        for (const n of nodes) this.#removeNode(tree, n);
        const merged = tree.held.insert(left, right, { owner: owner.id, mode });
        let set = owner.held.get(tree);
        if (set === undefined) {
          set = new Set();
          owner.held.set(tree, set);
        }
        set.add(merged);
        this.#memoryBytes += NODE_OVERHEAD_BYTES + boundBytes(left) + boundBytes(right);
        this.#heldLocks += 1;
      }
      // A pass already running over this tree must look at every request again.
      if (tree.pending.length > 0) {
        if (this.#retrying.has(tree)) this.#retryAgain.add(tree);
        else this.#retry(tree);
      }
    }
    this.#overBudget = this.#memoryBytes > this.#memoryLimitBytes;
  }
}

function sameMembers(a: readonly TxnId[], b: readonly TxnId[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
