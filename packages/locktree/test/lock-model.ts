import type { LockMode, TxnId } from '../src/index.js';

/**
 * A brute-force lock table with the same rules as LockManager, written for clarity, not
 * speed: lists, full scans, fresh conflict sets every time. Keys are small integers.
 */
export interface ModelLock {
  owner: TxnId;
  left: number;
  right: number;
  mode: LockMode;
}

export interface ModelRequest extends ModelLock {
  /** Arrival order (ids grow with every acquire). */
  id: number;
  dueMs: number;
  deadlockDetection: boolean;
}

export type Outcome = 'granted' | 'waiting' | 'timeout' | 'deadlock' | 'killed';

const overlaps = (a: { left: number; right: number }, b: { left: number; right: number }): boolean => a.left <= b.right && b.left <= a.right;
const incompatible = (a: LockMode, b: LockMode): boolean => a === 'exclusive' || b === 'exclusive';

export class LockModel {
  held: ModelLock[] = [];
  queue: ModelRequest[] = [];
  outcomes = new Map<number, Outcome>();
  killed = new Set<TxnId>();
  now = 0;
  /** Waiting requests failed for a cycle closed by a request without detection. */
  victims = 0;

  blockers(req: ModelLock, queuedBefore: number): TxnId[] {
    const out = new Set<TxnId>();
    for (const h of this.held) if (h.owner !== req.owner && overlaps(h, req) && incompatible(h.mode, req.mode)) out.add(h.owner);
    const upgrade = this.held.some((h) => h.owner === req.owner && overlaps(h, req));
    if (!upgrade) {
      for (const p of this.queue.slice(0, queuedBefore)) if (p.owner !== req.owner && overlaps(p, req) && incompatible(p.mode, req.mode)) out.add(p.owner);
    }
    return [...out].sort((a, b) => a - b);
  }

  covered(req: ModelLock): boolean {
    return this.held.some((h) => h.owner === req.owner && (h.mode === 'exclusive' || req.mode === 'shared') && h.left <= req.left && h.right >= req.right);
  }

  /** Wait-for edges: each queued request's owner to its current blockers. */
  waitsFor(id: TxnId): TxnId[] {
    const index = this.queue.findIndex((q) => q.owner === id);
    return index >= 0 ? this.blockers(this.queue[index]!, index) : [];
  }

  /** Every transaction reachable from `start` along wait-for edges. */
  reachable(start: readonly TxnId[]): Set<TxnId> {
    const seen = new Set<TxnId>();
    const stack = [...start];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...this.waitsFor(id));
    }
    return seen;
  }

  /** The members (other than `txn`) of cycles through `txn` that waits for `start`; undefined if there is no cycle. */
  cycleMembers(txn: TxnId, start: TxnId[]): Set<TxnId> | undefined {
    const fromTxn = this.reachable(start);
    if (!fromTxn.has(txn)) return undefined;
    return new Set([...fromTxn].filter((id) => id !== txn && this.reachable([id]).has(txn)));
  }

  /**
   * Deadlock rule: a request with detection on that would close a cycle fails; one with
   * detection off fails instead the most recently queued member of a cycle through it
   * that has detection on (then looks again), or waits if there is none.
   */
  acquire(id: number, req: ModelLock, timeoutMs: number, deadlockDetection = true): void {
    if (this.covered(req)) {
      this.outcomes.set(id, 'granted');
      return;
    }
    for (;;) {
      const blockers = this.blockers(req, this.queue.length);
      if (blockers.length === 0) {
        this.held.push({ ...req });
        this.outcomes.set(id, 'granted');
        this.settle();
        return;
      }
      if (this.killed.has(req.owner)) {
        this.outcomes.set(id, 'killed');
        return;
      }
      const members = this.cycleMembers(req.owner, blockers);
      if (members !== undefined) {
        if (deadlockDetection) {
          this.outcomes.set(id, 'deadlock');
          return;
        }
        const victim = this.queue.filter((q) => members.has(q.owner) && q.deadlockDetection).sort((a, b) => b.id - a.id)[0];
        if (victim !== undefined) {
          this.outcomes.set(victim.id, 'deadlock');
          this.victims += 1;
          this.queue = this.queue.filter((q) => q !== victim);
          this.settle();
          continue;
        }
      }
      this.queue.push({ ...req, id, dueMs: this.now + timeoutMs, deadlockDetection });
      this.outcomes.set(id, 'waiting');
      return;
    }
  }

  releaseAll(txn: TxnId): void {
    this.held = this.held.filter((h) => h.owner !== txn);
    for (const q of this.queue.filter((q) => q.owner === txn)) this.outcomes.set(q.id, 'killed');
    this.queue = this.queue.filter((q) => q.owner !== txn);
    this.killed.delete(txn);
    this.settle();
  }

  kill(txn: TxnId): void {
    this.killed.add(txn);
    for (const q of this.queue.filter((q) => q.owner === txn)) this.outcomes.set(q.id, 'killed');
    this.queue = this.queue.filter((q) => q.owner !== txn);
    this.settle();
  }

  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      const due = this.queue.filter((q) => q.dueMs <= target).sort((a, b) => a.dueMs - b.dueMs || a.id - b.id)[0];
      if (due === undefined) break;
      this.now = due.dueMs;
      this.queue = this.queue.filter((q) => q !== due);
      this.outcomes.set(due.id, 'timeout');
      this.settle();
    }
    this.now = target;
  }

  /** Grants in FIFO order until stable. (Without escalation no grant or removal adds a waiting blocker, so no cycle can close here.) */
  settle(): void {
    for (;;) {
      let changed = false;
      for (let i = 0; i < this.queue.length; ) {
        const q = this.queue[i]!;
        if (this.blockers(q, i).length === 0) {
          this.queue.splice(i, 1);
          this.held.push({ owner: q.owner, left: q.left, right: q.right, mode: q.mode });
          this.outcomes.set(q.id, 'granted');
          changed = true;
          continue;
        }
        i += 1;
      }
      if (!changed) return;
    }
  }
}
