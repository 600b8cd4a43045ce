import { ManualClock, Random } from '@lockstep/base';
import { DeterministicScheduler, forEachSeed } from '@lockstep/base/testing';
import { describe, expect, it } from 'vitest';
import { DeadlockError, LockManager, type LockMode } from '../src/index.js';

const L = Uint8Array.of(7);

function setup(seed: number) {
  const clock = new ManualClock();
  const manager = new LockManager({ clock, lockWaitTimeoutMs: 60_000 });
  const tree = manager.openTree(1);
  const scheduler = new DeterministicScheduler({ seed, clock });
  return { clock, manager, tree, scheduler };
}

describe('the PerconaFT races, recreated', () => {
  it('release before wait: B is granted without any timeout, in every interleaving', async () => {
    await forEachSeed(500, async (seed) => {
      const { manager, tree, scheduler } = setup(seed);
      const events: string[] = [];
      scheduler.spawn('A', async (ctx) => {
        await tree.acquirePoint(1, L, 'exclusive');
        events.push('A holds');
        await ctx.step('holding');
        manager.releaseAll(1);
        events.push('A released');
      });
      scheduler.spawn('B', async (ctx) => {
        await ctx.step('before-request');
        await tree.acquirePoint(2, L, 'exclusive');
        events.push('B holds');
        manager.assertNoGrantablePending();
        manager.releaseAll(2);
      });
      const result = await scheduler.run();
      expect(result.stalled).toEqual([]);
      expect(result.trace.some((t) => t.startsWith('clock:'))).toBe(false); // nobody waited for a timer
      expect(result.outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
      expect(events).toContain('B holds');
      expect(manager.counters.timeouts).toBe(0);
    });
  });

  it('retry while retry: with three transactions, B and C are granted without any timeout', async () => {
    await forEachSeed(500, async (seed) => {
      const { manager, tree, scheduler } = setup(seed);
      const granted: string[] = [];
      for (const [name, txn] of [['A', 1], ['B', 2], ['C', 3]] as const) {
        scheduler.spawn(name, async (ctx) => {
          await ctx.step('request');
          await tree.acquirePoint(txn, L, 'exclusive');
          granted.push(name);
          manager.assertNoGrantablePending();
          await ctx.step('holding');
          manager.releaseAll(txn);
          manager.assertNoGrantablePending();
        });
      }
      const result = await scheduler.run();
      expect(result.stalled).toEqual([]);
      expect(result.trace.some((t) => t.startsWith('clock:'))).toBe(false);
      expect([...granted].sort()).toEqual(['A', 'B', 'C']);
      expect(manager.status().held).toEqual([]);
    });
  });
});

describe('random workloads under seeded interleavings', () => {
  /**
   * 2 to 5 tasks lock random ranges and retry after a deadlock. With `offTask`, that
   * task's requests run without deadlock detection: a cycle it closes must fail another
   * member's wait, never its own, and nothing may end by timeout.
   */
  async function run(withDetectionOff: boolean): Promise<{ deadlocks: number; waits: number; victims: number }> {
    let deadlocks = 0;
    let waits = 0;
    let victims = 0;
    await forEachSeed(2000, async (seed) => {
      const { manager, tree, scheduler } = setup(seed);
      const random = new Random(seed);
      const tasks = random.int(2, 5);
      const offTask = withDetectionOff ? random.int(1, tasks) : 0;
      for (let t = 1; t <= tasks; t++) {
        const r = random.fork();
        scheduler.spawn(`T${t}`, async (ctx) => {
          for (let attempt = 0; attempt < 3; attempt++) {
            try {
              for (let i = r.int(1, 4); i > 0; i--) {
                const left = r.int(0, 6);
                const right = left + (r.bool(0.7) ? 0 : r.int(1, 3));
                const mode: LockMode = r.bool(0.6) ? 'exclusive' : 'shared';
                await ctx.step('before-lock');
                await tree.acquire(t, Uint8Array.of(left), Uint8Array.of(right), mode, { deadlockDetection: t !== offTask });
                manager.assertNoGrantablePending();
              }
              await ctx.step('commit');
              manager.releaseAll(t);
              manager.assertNoGrantablePending();
              return;
            } catch (error) {
              if (!(error instanceof DeadlockError)) throw error;
              expect(t, `seed ${seed}: the task without detection failed as a deadlock`).not.toBe(offTask);
              if (error.cycle[0] !== t) victims += 1;
              manager.releaseAll(t); // roll back, then retry
              manager.assertNoGrantablePending();
            }
          }
        });
      }
      const result = await scheduler.run();
      expect(result.stalled).toEqual([]);
      const failed = result.outcomes.find((o) => o.status === 'rejected');
      expect(failed?.error).toBeUndefined();
      expect(manager.counters.timeouts).toBe(0);
      expect(manager.status().held).toEqual([]);
      expect(manager.memoryBytes).toBe(0);
      deadlocks += manager.counters.deadlocks;
      waits += manager.counters.waits;
    });
    return { deadlocks, waits, victims };
  }

  it('never leave a grantable request waiting, never stall, never time out', async () => {
    const { deadlocks, waits } = await run(false);
    // The seeds must actually produce contention and deadlocks, or this proves little.
    expect(waits).toBeGreaterThan(1000);
    expect(deadlocks).toBeGreaterThan(10);
  });

  it('with one transaction per seed without deadlock detection, the cycles it closes fail another member: still no stall, no timeout', async () => {
    const { deadlocks, victims } = await run(true);
    expect(deadlocks).toBeGreaterThan(10);
    expect(victims).toBeGreaterThan(5);
  });
});
