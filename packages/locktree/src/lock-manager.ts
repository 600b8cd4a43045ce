import { invariant, systemClock, type Clock } from '@lockstep/base';
import { MAX_KEY, MIN_KEY, boundBytes, compareBounds, compareBytes, formatBound, type Bound, type KeyComparator } from './bounds.js';
import { DeadlockError } from './errors/deadlock-error.js';
import { LockMemoryExhaustedError } from './errors/lock-memory-exhausted-error.js';
import { LockWaitKilledError } from './errors/lock-wait-killed-error.js';
import { LockWaitTimeoutError } from './errors/lock-wait-timeout-error.js';
import type { RangeNode } from './internal/interval-treap.js';
import { WaitDeadlines } from './internal/wait-deadlines.js';
import { LockTree, type AcquireOptions, type HeldLock, type HeldScan, type PendingRequest } from './lock-tree.js';
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
 * operation): no pending request is grantable under the rule; the blockers last reported
 * for each pending request are exactly its blockers now; every transaction has at
 * most one pending request; each transaction's record of held ranges equals what the trees
 * hold; `memoryBytes` is the sum over held nodes.
 *
 * Why no wake-up can be lost: conflict detection and registration of a waiter happen in
 * one synchronous section (`acquireIn`), and every operation that can make a waiter
 * grantable runs the retry pass over that tree before it returns, granting in FIFO order.
 * Those operations are: removing a held lock (release, release-all, escalation) and
 * removing a pending request (timeout, kill, deadlock failure, release-all of a waiting
 * transaction) — a request that leaves the queue can unblock requests queued behind it
 * under the FIFO rule, in a tree where its owner holds nothing. Nobody relies on another
 * caller's pass.
 */
export interface LockManagerOptions {
  /** Memory all held locks may use before escalation (default 64 MiB). */
  readonly memoryLimitBytes?: number;
  /** Default bound on a wait (default 50 000 ms, innodb_lock_wait_timeout). */
  readonly lockWaitTimeoutMs?: number;
  /** Default of each request's `deadlockDetection` (default true). */
  readonly deadlockDetection?: boolean;
  /** Transactions visited by one deadlock search before it gives up and reports a deadlock (default 1000). */
  readonly maxDeadlockSearch?: number;
  readonly onWait?: WaitListener;
  readonly clock?: Clock;
}

/** Estimated bytes of one held lock beyond its keys (node, record entry). */
const NODE_OVERHEAD_BYTES = 120;

/** A changed key range: pending requests overlapping it must be re-examined. */
interface KeyRange {
  readonly left: Bound;
  readonly right: Bound;
}

const FULL_RANGE: KeyRange = { left: MIN_KEY, right: MAX_KEY };

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
  /** Every pending request's lock-wait deadline, behind one timer. */
  readonly #deadlines: WaitDeadlines<PendingRequest>;
  /** Pending requests over all trees. */
  #waiting = 0;
  /** Pending requests with deadlock detection on: while none wait, a request without it needs no search. */
  #detectingWaits = 0;
  /** Arrival counter for pending requests (FIFO order across the whole manager). */
  #arrivals = 0;
  #memoryBytes = 0;
  #heldLocks = 0;
  #overBudget = false;
  readonly #retrying = new Set<LockTree>();
  /** Ranges handed to a pass that was already running over the tree (re-entrant calls). */
  readonly #retryAgain = new Map<LockTree, KeyRange[]>();

  constructor(options: LockManagerOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#memoryLimitBytes = options.memoryLimitBytes ?? 64 * 1024 * 1024;
    this.#lockWaitTimeoutMs = options.lockWaitTimeoutMs ?? 50_000;
    this.#deadlockDetection = options.deadlockDetection ?? true;
    this.#maxDeadlockSearch = options.maxDeadlockSearch ?? 1000;
    this.#onWait = options.onWait;
    this.#deadlines = new WaitDeadlines<PendingRequest>(
      this.#clock,
      (request) => this.#txns.get(request.owner)?.pending === request,
      (request) => {
        this.counters.timeouts += 1;
        this.#cancel(this.#txns.get(request.owner)!, new LockWaitTimeoutError(request.owner, request.timeoutMs, request.reported));
        this.#retry(request.tree, [request]);
      },
    );
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
    // Every lock is removed before any pass runs (a pass can call the wait listener); the
    // ranges to re-examine are kept only for trees with pending requests (none in the
    // uncontended case: no map, no arrays).
    let touched: Map<LockTree, KeyRange[]> | undefined;
    const request = record.pending;
    if (request !== undefined) {
      // A queued request that goes away can unblock the requests queued behind it (FIFO),
      // even in a tree where this transaction holds nothing.
      touched = new Map([[request.tree, [request]]]);
      this.#cancel(record, new LockWaitKilledError(txn, 'its locks were released while it waited'));
    }
    for (const [tree, nodes] of record.held) {
      if (tree.pending.length === 0 && touched?.has(tree) !== true) {
        for (const node of nodes) this.#removeNode(tree, node);
        continue;
      }
      touched ??= new Map();
      let ranges = touched.get(tree);
      if (ranges === undefined) touched.set(tree, (ranges = []));
      for (const node of nodes) {
        this.#removeNode(tree, node);
        ranges.push(node);
      }
    }
    if (touched !== undefined) for (const [tree, ranges] of touched) this.#retry(tree, ranges);
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
    const request = record.pending;
    this.#cancel(record, new LockWaitKilledError(txn, reason));
    this.#retry(request.tree, [request]);
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
      tree.pending.forEach((p) => {
        const blockers = this.#conflicts(tree, p.owner, p.left, p.right, p.mode, p.seq);
        invariant(blockers !== undefined && blockers.size > 0, () => `txn ${p.owner} waits on index ${tree.indexId} [${formatBound(p.left)}, ${formatBound(p.right)}] although it is grantable`);
        const current = [...blockers].sort((a, b) => a - b);
        invariant(sameMembers(current, p.reported), () => `txn ${p.owner} was last told it waits for [${p.reported.join(', ')}] but waits for [${current.join(', ')}]`);
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
    const scan = tree.examineHeld(txn, left, right, mode);
    if (scan.covered) return { granted: true };
    const conflicts = this.#withQueued(tree, txn, left, right, mode, Infinity, scan);
    if (conflicts !== undefined) return { granted: false, conflicts: [...conflicts].sort((a, b) => a - b) };
    if (this.#overBudget) {
      this.counters.memoryRefusals += 1;
      throw new LockMemoryExhaustedError(this.#memoryBytes, this.#memoryLimitBytes);
    }
    this.#grantNow(tree, txn, left, right, mode);
    return { granted: true };
  }

  /** @internal */
  acquireIn(tree: LockTree, txn: TxnId, left: Bound, right: Bound, mode: LockMode, options: AcquireOptions): Promise<void> {
    const detect = options.deadlockDetection ?? this.#deadlockDetection;
    // Runs again only after a deadlock failed another waiter (at most once per waiter).
    for (;;) {
      let conflicts: Set<TxnId> | undefined;
      try {
        this.#checkRange(tree, left, right);
        const scan = tree.examineHeld(txn, left, right, mode);
        if (scan.covered) return RESOLVED;
        conflicts = this.#withQueued(tree, txn, left, right, mode, Infinity, scan);
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
      if (detect || this.#detectingWaits > 0) {
        const deadlock = this.#findDeadlock(txn, detect, blockers);
        if (deadlock !== undefined) {
          this.counters.deadlocks += 1;
          if (deadlock.victim === txn) return Promise.reject(new DeadlockError(txn, deadlock.path, deadlock.bounded));
          // The victim's wait is gone, which may have freed what this request wants: look again.
          this.#failVictim(deadlock.victim, deadlock.path);
          continue;
        }
      }
      // Registration happens in this same synchronous section as the conflict check.
      return new Promise<void>((resolve, reject) => {
        const bound = options.timeoutMs ?? this.#lockWaitTimeoutMs;
        const request: PendingRequest = {
          owner: txn,
          tree,
          left,
          right,
          mode,
          startedMs: this.#clock.now(),
          seq: ++this.#arrivals,
          node: undefined,
          timeoutMs: bound,
          resolve,
          reject,
          reported: blockers,
          deadlockDetection: detect,
        };
        tree.enqueue(request);
        record.pending = request;
        this.#waiting += 1;
        if (detect) this.#detectingWaits += 1;
        this.counters.waits += 1;
        this.#deadlines.add(request, bound, this.#waiting);
        this.#report(request, blockers);
      });
    }
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
    if (released > 0) this.#retry(tree, [{ left, right }]);
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
  #conflicts(tree: LockTree, txn: TxnId, left: Bound, right: Bound, mode: LockMode, beforeSeq: number): Set<TxnId> | undefined {
    return this.#withQueued(tree, txn, left, right, mode, beforeSeq, tree.examineHeld(txn, left, right, mode));
  }

  #withQueued(tree: LockTree, txn: TxnId, left: Bound, right: Bound, mode: LockMode, beforeSeq: number, scan: HeldScan): Set<TxnId> | undefined {
    if (tree.pending.length === 0 || scan.ownsOverlap) return scan.conflicts;
    return tree.pendingConflicts(txn, left, right, mode, beforeSeq, scan.conflicts);
  }

  /**
   * A grant without waiting. Under the fairness rule only an upgrade can be granted over
   * queued requests, and it may add a blocker to them: re-examine so reports stay exact.
   */
  #grantNow(tree: LockTree, txn: TxnId, left: Bound, right: Bound, mode: LockMode): void {
    this.#grant(tree, this.#record(txn), left, right, mode);
    if (tree.pending.length > 0) this.#retry(tree, [{ left, right }]);
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
    if (request.deadlockDetection) this.#detectingWaits -= 1;
    if (--this.#waiting === 0) this.#deadlines.clear();
    const tree = request.tree;
    tree.dequeue(request);
    this.counters.waitTimeMs += this.#clock.now() - request.startedMs;
    request.reject(error);
  }

  /**
   * Grants, in FIFO order, every pending request of `tree` that has become grantable,
   * then reports changed blocker sets (and fails requests that now close a cycle).
   *
   * Only requests overlapping a changed range can change: `changed` starts with what the
   * caller freed or added, and every request granted in the pass joins it (requests behind
   * it may now see it as a holder instead of a queued request, or be free to go). A grant
   * can only affect an EARLIER request when it was an upgrade that jumped the queue; then
   * the pass runs again over that range. Re-entrant calls (a wait listener that kills)
   * hand their ranges to the running pass.
   */
  #retry(tree: LockTree, changed: readonly KeyRange[]): void {
    if (tree.pending.length === 0) return;
    if (this.#retrying.has(tree)) {
      const again = this.#retryAgain.get(tree);
      if (again === undefined) this.#retryAgain.set(tree, [...changed]);
      else again.push(...changed);
      return;
    }
    this.#retrying.add(tree);
    const reports = new Map<PendingRequest, TxnId[]>();
    try {
      let ranges: readonly KeyRange[] = changed;
      while (ranges.length > 0) {
        const nextPass: KeyRange[] = [];
        // The requests to examine, in arrival order; grants add the requests behind them.
        const queue = new PendingQueue();
        for (const range of ranges) queue.addOverlapping(tree, range, 0);
        for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
          if (p.node === undefined) continue; // left the queue during this pass
          const scan = tree.examineHeld(p.owner, p.left, p.right, p.mode);
          const blockers = this.#withQueued(tree, p.owner, p.left, p.right, p.mode, p.seq, scan);
          if (blockers === undefined) {
            tree.dequeue(p);
            const record = this.#txns.get(p.owner)!;
            record.pending = undefined;
            if (p.deadlockDetection) this.#detectingWaits -= 1;
            if (--this.#waiting === 0) this.#deadlines.clear();
            this.counters.waitTimeMs += this.#clock.now() - p.startedMs;
            this.#grant(tree, record, p.left, p.right, p.mode);
            p.resolve();
            queue.addOverlapping(tree, p, p.seq);
            // Only an upgrade can be granted ahead of an earlier overlapping request (any
            // other grant had no incompatible earlier request in its way, and a compatible
            // one's blockers do not change).
            if (scan.ownsOverlap && tree.pendingConflicts(-1, p.left, p.right, 'exclusive', p.seq, undefined) !== undefined) nextPass.push(p);
            continue;
          }
          // Unchanged blockers (the common case when a lock passes along a queue of one key) cost no array and no sort.
          if (sameSet(blockers, p.reported)) reports.delete(p);
          else reports.set(p, [...blockers].sort((a, b) => a - b));
        }
        const again = this.#retryAgain.get(tree);
        if (again !== undefined) {
          this.#retryAgain.delete(tree);
          nextPass.push(...again);
        }
        ranges = nextPass;
      }
    } finally {
      this.#retrying.delete(tree);
    }
    for (const [request, blockers] of reports) {
      if (this.#txns.get(request.owner)?.pending !== request) continue;
      const previous = request.reported;
      request.reported = blockers;
      // A cycle can only close through a blocker that is itself waiting and was not a
      // blocker before (one already there was searched when it was added). A newly granted
      // holder waits for nothing, so the common case — the lock passed on — costs no search.
      if ((request.deadlockDetection || this.#detectingWaits > 0) && blockers.some((b) => !previous.includes(b) && this.#txns.get(b)?.pending !== undefined)) {
        const deadlock = this.#findDeadlock(request.owner, request.deadlockDetection, blockers);
        if (deadlock !== undefined) {
          this.counters.deadlocks += 1;
          if (deadlock.victim === request.owner) {
            this.#cancel(this.#txns.get(request.owner)!, new DeadlockError(request.owner, deadlock.path, deadlock.bounded));
            this.#retry(tree, [request]);
            continue;
          }
          this.#failVictim(deadlock.victim, deadlock.path);
          // The pass that failure ran may have granted or re-reported this request already.
          if (this.#txns.get(request.owner)?.pending !== request || request.reported !== blockers) continue;
        }
      }
      this.#report(request, blockers);
    }
  }

  /**
   * Tells the listener. A listener that throws must not leave a request that its owner
   * believes failed in the queue (it would later be granted to nobody): the request is
   * withdrawn and rejects with the listener's error, and the pass over its range runs.
   */
  #report(request: PendingRequest, blockers: readonly TxnId[]): void {
    if (this.#onWait === undefined) return;
    try {
      this.#onWait(request.owner, blockers, request.tree.indexId);
    } catch (error) {
      const record = this.#txns.get(request.owner);
      if (record?.pending !== request) return; // already ended (the listener killed it, then threw)
      this.#cancel(record, error);
      this.#retry(request.tree, [request]);
    }
  }

  /**
   * Who fails for a request of `txn` about to wait for (or newly waiting for) `blockers`:
   * `txn` itself if its request has detection on and the search finds a cycle back to it
   * or hits its bound; otherwise, on a cycle through `txn`, the most recently queued
   * request with detection on among the cycle's members; a search that hits its bound
   * for a request without detection fails nobody.
   */
  #findDeadlock(txn: TxnId, detect: boolean, blockers: readonly TxnId[]): { victim: TxnId; path: TxnId[]; bounded: boolean } | undefined {
    if (detect) {
      const cycle = this.#findCycle(txn, blockers);
      return cycle === undefined ? undefined : { victim: txn, ...cycle };
    }
    return this.#findVictim(txn, blockers);
  }

  /** Cancels the pending request of `victim` with a DeadlockError and runs the pass over its range. */
  #failVictim(victim: TxnId, path: TxnId[]): void {
    const record = this.#txns.get(victim)!;
    const request = record.pending!;
    this.#cancel(record, new DeadlockError(victim, path, false));
    this.#retry(request.tree, [request]);
  }

  /**
   * For a waiter without detection: every transaction reachable from `blockers` (bounded
   * by `maxDeadlockSearch`, like `#findCycle`), then those that lead back to `txn` — the
   * members of some cycle through it — and among them the most recently queued request
   * with detection on. The path is `txn` → … → victim → … → `txn`.
   */
  #findVictim(txn: TxnId, blockers: readonly TxnId[]): { victim: TxnId; path: TxnId[]; bounded: boolean } | undefined {
    const parent = new Map<TxnId, TxnId>();
    const pointedBy = new Map<TxnId, TxnId[]>();
    const edge = (from: TxnId, to: TxnId): void => {
      const list = pointedBy.get(to);
      if (list === undefined) pointedBy.set(to, [from]);
      else list.push(from);
    };
    const stack: TxnId[] = [];
    for (const id of blockers) {
      edge(txn, id);
      if (parent.has(id) || id === txn) continue;
      parent.set(id, txn);
      stack.push(id);
    }
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (parent.size > this.#maxDeadlockSearch) return undefined;
      const waiting = this.#txns.get(id)?.pending;
      if (waiting === undefined) continue;
      for (const next of waiting.reported) {
        edge(id, next);
        if (next === txn || parent.has(next)) continue;
        parent.set(next, id);
        stack.push(next);
      }
    }
    if (!pointedBy.has(txn)) return undefined;
    // Backwards from txn: `toward` is each member's next step on a path back to txn.
    const toward = new Map<TxnId, TxnId>();
    const frontier = [txn];
    let victim: PendingRequest | undefined;
    while (frontier.length > 0) {
      const id = frontier.pop()!;
      for (const from of pointedBy.get(id) ?? []) {
        if (from === txn || toward.has(from)) continue;
        toward.set(from, id);
        frontier.push(from);
        const request = this.#txns.get(from)?.pending;
        if (request?.deadlockDetection === true && (victim === undefined || request.seq > victim.seq)) victim = request;
      }
    }
    if (victim === undefined) return undefined;
    const path = [victim.owner];
    for (let at = victim.owner; at !== txn; ) path.push((at = parent.get(at)!));
    path.reverse();
    for (let at = victim.owner; at !== txn; ) path.push((at = toward.get(at)!));
    return { victim: victim.owner, path, bounded: false };
  }

  /**
   * Depth-first search of the wait-for graph from `blockers` back to `txn`, visiting each
   * transaction once (O(waiters + wait edges)), bounded by `maxDeadlockSearch` visits: a
   * search that hits the bound is reported as a deadlock (`bounded`), as InnoDB does.
   */
  #findCycle(txn: TxnId, blockers: readonly TxnId[]): { path: TxnId[]; bounded: boolean } | undefined {
    const parent = new Map<TxnId, TxnId>();
    const stack: TxnId[] = [];
    for (const id of blockers) {
      if (parent.has(id)) continue;
      parent.set(id, txn);
      stack.push(id);
    }
    const pathTo = (id: TxnId): TxnId[] => {
      const path = [id];
      for (let at = id; at !== txn; ) {
        at = parent.get(at)!;
        path.push(at);
      }
      return path.reverse();
    };
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === txn) return { path: pathTo(id), bounded: false };
      if (parent.size > this.#maxDeadlockSearch) return { path: pathTo(id), bounded: true };
      const waiting = this.#txns.get(id)?.pending;
      if (waiting === undefined) continue;
      for (const next of waiting.reported) {
        if (next === txn) return { path: [...pathTo(id), txn], bounded: false };
        if (parent.has(next)) continue;
        parent.set(next, id);
        stack.push(next);
      }
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
      // Merged ranges may block waiting requests anywhere in the tree (a pass already
      // running over it takes the range over).
      if (tree.pending.length > 0 && runs.length > 0) this.#retry(tree, [FULL_RANGE]);
    }
    this.#overBudget = this.#memoryBytes > this.#memoryLimitBytes;
  }
}

/** Pending requests of one pass, taken in arrival order, each at most once per pass. */
class PendingQueue {
  readonly #items: PendingRequest[] = [];
  readonly #seen = new Set<PendingRequest>();
  #sorted = true;
  #next = 0;

  /** Adds the pending requests overlapping `range` that arrived after `afterSeq`. */
  addOverlapping(tree: LockTree, range: KeyRange, afterSeq: number): void {
    const nodes: RangeNode<PendingRequest>[] = [];
    tree.pendingIndex.collectOverlapping(range.left, range.right, nodes);
    for (const node of nodes) {
      const p = node.value;
      if (p.seq > afterSeq && !this.#seen.has(p)) {
        this.#seen.add(p);
        this.#items.push(p);
        this.#sorted = false;
      }
    }
  }

  shift(): PendingRequest | undefined {
    if (!this.#sorted) {
      // Everything not yet taken arrived after what was taken (see the callers), so
      // sorting the rest keeps the order.
      const rest = this.#items.splice(this.#next).sort((a, b) => a.seq - b.seq);
      this.#items.length = 0;
      this.#items.push(...rest);
      this.#next = 0;
      this.#sorted = true;
    }
    return this.#items[this.#next++];
  }
}

function sameSet(set: ReadonlySet<TxnId>, sorted: readonly TxnId[]): boolean {
  if (set.size !== sorted.length) return false;
  for (const id of sorted) if (!set.has(id)) return false;
  return true;
}

function sameMembers(a: readonly TxnId[], b: readonly TxnId[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
