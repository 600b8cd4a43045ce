import { ManualClock } from '@lockstep/base';
import { describe, expect, it } from 'vitest';
import {
  DeadlockError,
  LockManager,
  LockMemoryExhaustedError,
  LockWaitKilledError,
  LockWaitTimeoutError,
  MAX_KEY,
  MIN_KEY,
  compareBounds,
  compareBytes,
  type Bound,
} from '../src/index.js';

const k = (n: number): Uint8Array => Uint8Array.of(n);
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('LockManager basics', () => {
  it('grants compatible locks, reports conflicts on try, and lets a sole reader upgrade', () => {
    const manager = new LockManager();
    const tree = manager.openTree(1);
    expect(tree.tryAcquire(1, k(5), k(5), 'shared')).toEqual({ granted: true });
    expect(tree.tryAcquire(2, k(5), k(5), 'shared')).toEqual({ granted: true });
    expect(tree.tryAcquire(3, k(4), k(6), 'exclusive')).toEqual({ granted: false, conflicts: [1, 2] });
    expect(tree.tryAcquire(1, k(5), k(5), 'exclusive')).toEqual({ granted: false, conflicts: [2] });
    manager.releaseAll(2);
    expect(tree.tryAcquire(1, k(5), k(5), 'exclusive')).toEqual({ granted: true }); // sole reader upgrades
    expect(tree.tryAcquire(1, k(5), k(5), 'shared')).toEqual({ granted: true }); // covered: no new node
    expect(manager.heldRanges(1).map((r) => r.mode).sort()).toEqual(['exclusive', 'shared']);
    manager.assertNoGrantablePending();
  });

  it('handles infinite bounds: a full-range lock conflicts with every key', () => {
    const manager = new LockManager();
    const tree = manager.openTree(1);
    expect(tree.tryAcquire(1, MIN_KEY, MAX_KEY, 'exclusive')).toEqual({ granted: true });
    expect(tree.tryAcquire(2, k(0), k(0), 'shared')).toEqual({ granted: false, conflicts: [1] });
    expect(tree.tryAcquire(2, k(200), MAX_KEY, 'shared')).toEqual({ granted: false, conflicts: [1] });
    expect(compareBounds(MIN_KEY, new Uint8Array(0), compareBytes)).toBeLessThan(0);
    expect(() => tree.tryAcquire(3, k(9), k(1), 'shared')).toThrow(/left > right/);
  });

  it('wakes waiters in FIFO order; a writer is not starved by later readers', async () => {
    const manager = new LockManager();
    const tree = manager.openTree(1);
    tree.tryAcquire(1, k(5), k(5), 'shared');
    const order: number[] = [];
    const writer = tree.acquirePoint(2, k(5), 'exclusive').then(() => order.push(2));
    // A later reader would be compatible with the holder but must queue behind the writer.
    expect(tree.tryAcquire(3, k(5), k(5), 'shared')).toEqual({ granted: false, conflicts: [2] });
    const reader = tree.acquirePoint(3, k(5), 'shared').then(() => order.push(3));
    manager.releaseAll(1);
    await writer;
    expect(order).toEqual([2]);
    manager.releaseAll(2);
    await reader;
    expect(order).toEqual([2, 3]);
  });

  it('times out a wait on its clock with errno 1205, naming the blockers', async () => {
    const clock = new ManualClock();
    const manager = new LockManager({ clock, lockWaitTimeoutMs: 50 });
    const tree = manager.openTree(1);
    tree.tryAcquire(1, k(1), k(1), 'exclusive');
    const waiting = tree.acquirePoint(2, k(1), 'shared');
    clock.advance(49);
    await settle();
    expect(manager.isWaiting(2)).toBe(true);
    clock.advance(1);
    const error: unknown = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockWaitTimeoutError);
    expect((error as LockWaitTimeoutError).errno).toBe(1205);
    expect((error as LockWaitTimeoutError).blockers).toEqual([1]);
    expect(manager.counters.timeouts).toBe(1);
    expect(manager.status().pending).toEqual([]);
  });

  it('fails the request that would close a cycle with errno 1213', async () => {
    const manager = new LockManager();
    const tree = manager.openTree(1);
    tree.tryAcquire(1, k(1), k(1), 'exclusive');
    tree.tryAcquire(2, k(2), k(2), 'exclusive');
    const first = tree.acquirePoint(1, k(2), 'exclusive');
    const error: unknown = await tree.acquirePoint(2, k(1), 'exclusive').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlockError);
    expect((error as DeadlockError).errno).toBe(1213);
    expect((error as DeadlockError).cycle).toEqual([2, 1, 2]);
    manager.releaseAll(2);
    await first;
  });

  it('per-request detection: a cycle closed by a request without it fails the latest waiting member with it; a cycle of requests without it waits', async () => {
    const manager = new LockManager({ deadlockDetection: false, maxDeadlockSearch: 2 });
    const tree = manager.openTree(1);
    for (let t = 1; t <= 4; t++) tree.tryAcquire(t, k(t), k(t), 'exclusive');
    const outcomes = new Map<number, string>();
    const track = (t: number, p: Promise<void>): void => {
      p.then(
        () => outcomes.set(t, 'granted'),
        (e: unknown) => outcomes.set(t, e instanceof DeadlockError ? `deadlock ${e.cycle.join('>')}` : String(e)),
      );
    };
    track(1, tree.acquirePoint(1, k(2), 'exclusive', { deadlockDetection: true })); // 1 -> 2
    track(2, tree.acquirePoint(2, k(3), 'exclusive', { deadlockDetection: true })); // 2 -> 3
    track(3, tree.acquirePoint(3, k(1), 'exclusive')); // 3 -> 1 closes 1 -> 2 -> 3 -> 1: 2 queued last of those with detection
    await settle();
    expect(outcomes.get(2)).toBe('deadlock 3>1>2>3');
    expect(outcomes.has(3)).toBe(false);
    expect(manager.counters).toMatchObject({ deadlocks: 1, kills: 0 });
    manager.assertNoGrantablePending();
    // Now 1 -> 2 (held), 3 -> 1; 2 (detection off) closes 2 -> 3 -> 1 -> 2 and fails 1, the only member with detection.
    track(2, tree.acquirePoint(2, k(3), 'exclusive'));
    await settle();
    expect(outcomes.get(1)).toBe('deadlock 2>3>1>2');
    expect(manager.counters.deadlocks).toBe(2);
    // 2 -> 3 -> 1 remains (1 holds 1 and no longer waits); 1 without detection closes the cycle: nobody has it on, all wait.
    track(1, tree.acquirePoint(1, k(2), 'exclusive'));
    await settle();
    expect([manager.isWaiting(1), manager.isWaiting(2), manager.isWaiting(3)]).toEqual([true, true, true]);
    expect(manager.counters.deadlocks).toBe(2);
    manager.assertNoGrantablePending();
    // A search cut by maxDeadlockSearch: a failure for a request with detection, nobody's for one without.
    track(4, tree.acquirePoint(4, k(1), 'exclusive'));
    await settle();
    expect(manager.isWaiting(4)).toBe(true);
    const bounded: unknown = await tree.acquirePoint(5, k(4), 'exclusive', { deadlockDetection: true }).catch((e: unknown) => e);
    expect((bounded as DeadlockError).message).toMatch(/exceeded its bound/);
    expect(manager.counters.deadlocks).toBe(3);
    for (let t = 1; t <= 4; t++) manager.releaseAll(t);
    await settle();
    expect(manager.status().held).toEqual([]);
  });

  it('kills a waiting request at once (1927) and makes later waits of that transaction fail until it ends', async () => {
    const manager = new LockManager();
    const tree = manager.openTree(1);
    tree.tryAcquire(1, k(1), k(1), 'exclusive');
    const waiting = tree.acquirePoint(2, k(1), 'exclusive');
    expect(manager.kill(2, 'conflict with an earlier transaction')).toBe(true);
    const error: unknown = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockWaitKilledError);
    expect((error as LockWaitKilledError).errno).toBe(1927);
    await expect(tree.acquirePoint(2, k(1), 'shared')).rejects.toBeInstanceOf(LockWaitKilledError);
    await tree.acquirePoint(2, k(9), 'exclusive'); // no wait needed: granted
    manager.releaseAll(2);
    expect(manager.kill(3)).toBe(false);
    manager.releaseAll(3);
  });

  it('reports a wait when it starts and whenever its blockers change', async () => {
    const reports: string[] = [];
    const manager = new LockManager({ onWait: (waiter, blockers) => reports.push(`${waiter}<-${blockers.join(',')}`) });
    const tree = manager.openTree(1);
    tree.tryAcquire(1, k(5), k(5), 'shared');
    tree.tryAcquire(2, k(5), k(5), 'shared');
    const waiting = tree.acquirePoint(3, k(5), 'exclusive');
    expect(reports).toEqual(['3<-1,2']);
    manager.releaseAll(1);
    expect(reports).toEqual(['3<-1,2', '3<-2']);
    manager.releaseAll(2);
    await waiting;
    expect(reports).toHaveLength(2);
  });

  it('lets a wait listener kill a later holder from inside the report (the replica rule)', async () => {
    const manager = new LockManager();
    const killed: number[] = [];
    // Commit order = txn id order: a transaction that waits kills every later holder.
    manager.onWait = (waiter, blockers) => {
      for (const holder of blockers) if (holder > waiter && manager.kill(holder, `blocks earlier txn ${waiter}`)) killed.push(holder);
    };
    const tree = manager.openTree(1);
    tree.tryAcquire(0, k(3), k(3), 'exclusive'); // an earlier transaction holds k3
    tree.tryAcquire(2, k(1), k(1), 'exclusive'); // txn 2 holds k1 ...
    const txn2Wait = tree.acquirePoint(2, k(3), 'exclusive'); // ... and waits for txn 0 (earlier: no kill)
    expect(manager.isWaiting(2)).toBe(true);
    const txn1Wait = tree.acquirePoint(1, k(1), 'exclusive'); // txn 1 waits for txn 2 -> kills its wait
    expect(killed).toEqual([2]);
    await expect(txn2Wait).rejects.toBeInstanceOf(LockWaitKilledError);
    expect(manager.isWaiting(1)).toBe(true);
    manager.releaseAll(2); // txn 2 rolls back, as the applier does after a kill
    await txn1Wait;
    expect(manager.heldRanges(1)).toEqual([{ indexId: 1, left: k(1), right: k(1), mode: 'exclusive' }]);
    manager.assertNoGrantablePending();
  });

  it('wakes the requests queued behind a waiter that goes away (release-all, kill, timeout), in a tree where it holds nothing', async () => {
    // Found by the model-based test: S(1) held; X(4) queued; S(2) queued behind X(4) by the
    // FIFO rule. When 4 leaves the queue without holding anything here, 2 is grantable at once.
    for (const leave of ['releaseAll', 'kill', 'timeout'] as const) {
      const clock = new ManualClock();
      const manager = new LockManager({ clock, lockWaitTimeoutMs: 1000 });
      const tree = manager.openTree(1);
      expect(tree.tryAcquire(1, k(0), k(0), 'shared')).toEqual({ granted: true });
      const writer = tree.acquire(4, k(0), k(0), 'exclusive', { timeoutMs: leave === 'timeout' ? 10 : 1000 });
      writer.catch(() => undefined);
      let readerGranted = false;
      const reader = tree.acquire(2, k(0), k(0), 'shared').then(() => (readerGranted = true));
      await settle();
      expect(readerGranted).toBe(false);
      expect(manager.status().pending.map((p) => p.owner)).toEqual([4, 2]);
      if (leave === 'releaseAll') manager.releaseAll(4);
      else if (leave === 'kill') manager.kill(4);
      else clock.advance(10);
      manager.assertNoGrantablePending();
      await reader;
      expect(readerGranted).toBe(true);
      await expect(writer).rejects.toBeInstanceOf(leave === 'timeout' ? LockWaitTimeoutError : LockWaitKilledError);
    }
  });

  it('times out waits with different bounds in deadline order behind one timer, and holds no timer once no one waits', async () => {
    const clock = new ManualClock();
    const manager = new LockManager({ clock, lockWaitTimeoutMs: 100 });
    const tree = manager.openTree(1);
    tree.tryAcquire(1, k(1), k(3), 'exclusive');
    const ended: string[] = [];
    const wait = (txn: number, key: number, timeoutMs?: number): Promise<void> =>
      tree.acquire(txn, k(key), k(key), 'exclusive', timeoutMs === undefined ? {} : { timeoutMs }).then(
        () => void ended.push(`${txn} granted`),
        (error: unknown) => void ended.push(`${txn} ${error instanceof LockWaitTimeoutError ? 'timeout' : String(error)}`),
      );
    const waits = [wait(2, 1), wait(3, 2, 30), wait(4, 3, 60), wait(5, 2)];
    expect(clock.pendingTimers).toBe(1);
    clock.advance(30);
    await settle();
    expect(ended).toEqual(['3 timeout']);
    clock.advance(30);
    await settle();
    expect(ended).toEqual(['3 timeout', '4 timeout']);
    manager.releaseAll(1); // 2 and 5 are granted: nobody waits, so no timer is left behind
    await Promise.all(waits);
    expect(ended).toEqual(['3 timeout', '4 timeout', '2 granted', '5 granted']);
    expect(clock.pendingTimers).toBe(0);
    expect(manager.counters.timeouts).toBe(2);
  });

  it('withdraws a request whose wait listener throws, at the start of the wait and on a later report', async () => {
    const failure = new Error('listener failed');
    let failOn = 2;
    const manager = new LockManager({
      onWait: (waiter) => {
        if (waiter === failOn) throw failure;
      },
    });
    const tree = manager.openTree(1);
    tree.tryAcquire(1, k(1), k(1), 'exclusive');
    await expect(tree.acquirePoint(2, k(1), 'exclusive')).rejects.toBe(failure);
    expect(manager.status().pending).toEqual([]);
    manager.assertNoGrantablePending();
    failOn = 0;
    const second = tree.acquirePoint(3, k(1), 'exclusive');
    const third = tree.acquirePoint(4, k(1), 'exclusive');
    failOn = 4; // 4's blockers change from [1, 3] to [3] when 1 releases: that report throws
    manager.releaseAll(1);
    await second;
    await expect(third).rejects.toBe(failure);
    expect(manager.status().pending).toEqual([]);
    expect(manager.heldRanges(4)).toEqual([]);
    manager.assertNoGrantablePending();
  });

  it('keeps trees by reference count', () => {
    const manager = new LockManager();
    const a = manager.openTree(7);
    const b = manager.openTree(7);
    expect(a).toBe(b);
    manager.closeTree(a);
    expect(manager.openTree(7)).toBe(a);
    manager.closeTree(a);
    manager.closeTree(a);
    expect(manager.openTree(7)).not.toBe(a);
    expect(() => { manager.closeTree(a); }).toThrow(/without a matching openTree/);
  });
});

describe('escalation', () => {
  it('keeps memory under the limit, records equal trees, and never merges different transactions', () => {
    const manager = new LockManager({ memoryLimitBytes: 20_000 });
    const tree = manager.openTree(1);
    // 20 transactions, each locking 40 keys interleaved with each other's in blocks.
    for (let round = 0; round < 40; round++) {
      for (let txn = 1; txn <= 20; txn++) {
        const key = Uint8Array.of(txn, round);
        const result = tree.tryAcquire(txn, key, key, 'exclusive');
        expect(result.granted).toBe(true);
      }
      manager.assertNoGrantablePending();
    }
    expect(manager.counters.escalations).toBeGreaterThan(0);
    expect(manager.memoryBytes).toBeLessThanOrEqual(20_000);
    const held = manager.status().held;
    for (const a of held) {
      for (const b of held) {
        if (a === b || a.owner === b.owner) continue;
        const overlap = compareBounds(a.left, b.right, compareBytes) <= 0 && compareBounds(b.left, a.right, compareBytes) <= 0;
        expect(overlap).toBe(false);
      }
    }
    // Each transaction's own keys are still all covered by its (merged) ranges.
    for (let txn = 1; txn <= 20; txn++) {
      const ranges = manager.heldRanges(txn);
      for (let round = 0; round < 40; round++) {
        const key = Uint8Array.of(txn, round);
        expect(ranges.some((r) => compareBounds(r.left, key, compareBytes) <= 0 && compareBounds(r.right, key, compareBytes) >= 0)).toBe(true);
      }
    }
  });

  it('refuses new locks with errno 1206 when escalation cannot get under the limit', () => {
    const manager = new LockManager({ memoryLimitBytes: 1_000 });
    const tree = manager.openTree(1);
    let refused: unknown;
    for (let txn = 1; txn <= 50 && refused === undefined; txn++) {
      try {
        tree.tryAcquire(txn, Uint8Array.of(txn), Uint8Array.of(txn), 'exclusive');
      } catch (error) {
        refused = error;
      }
    }
    expect(refused).toBeInstanceOf(LockMemoryExhaustedError);
    expect((refused as LockMemoryExhaustedError).errno).toBe(1206);
    for (let txn = 1; txn <= 50; txn++) manager.releaseAll(txn);
    const key: Bound = Uint8Array.of(1);
    expect(tree.tryAcquire(99, key, key, 'shared')).toEqual({ granted: true });
  });
});
