import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/index.js';
import { DeterministicScheduler, forEachSeed, type TaskContext } from '../src/testing.js';

/** Three tasks that each take a few steps and record what they did. */
async function runWorkload(seed: number): Promise<{ trace: readonly string[]; log: string[] }> {
  const scheduler = new DeterministicScheduler({ seed });
  const log: string[] = [];
  for (const name of ['a', 'b', 'c']) {
    scheduler.spawn(name, async (ctx: TaskContext) => {
      for (let i = 0; i < 4; i++) {
        log.push(`${name}${i}`);
        await ctx.step(`after-${i}`);
      }
    });
  }
  const result = await scheduler.run();
  expect(result.stalled).toEqual([]);
  return { trace: result.trace, log };
}

describe('DeterministicScheduler', () => {
  it('replays an identical trace for the same seed', async () => {
    for (const seed of [1, 2, 99, 12345]) {
      const first = await runWorkload(seed);
      const second = await runWorkload(seed);
      expect(second.trace).toEqual(first.trace);
      expect(second.log).toEqual(first.log);
    }
  });

  it('explores different interleavings for different seeds', async () => {
    const logs = new Set<string>();
    for (let seed = 1; seed <= 30; seed++) logs.add((await runWorkload(seed)).log.join(','));
    expect(logs.size).toBeGreaterThan(10);
  });

  it('runs exactly one task between two decisions', async () => {
    const scheduler = new DeterministicScheduler({ seed: 5 });
    let running = 0;
    let maxRunning = 0;
    for (const name of ['x', 'y']) {
      scheduler.spawn(name, async (ctx) => {
        for (let i = 0; i < 10; i++) {
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          await Promise.resolve();
          await Promise.resolve();
          running -= 1;
          await ctx.step();
        }
      });
    }
    await scheduler.run();
    expect(maxRunning).toBe(1);
  });

  it('reports a stall when tasks wait on something nobody will resolve', async () => {
    const scheduler = new DeterministicScheduler({ seed: 1 });
    let release: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    scheduler.spawn('waiter', async () => {
      await gate;
    });
    scheduler.spawn('finisher', async (ctx) => {
      await ctx.step();
    });
    const result = await scheduler.run();
    expect(result.stalled).toEqual(['waiter']);
    expect(result.outcomes.map((o) => o.name)).toEqual(['finisher']);
    release?.();
  });

  it('advances a manual clock when every task is blocked on a timer', async () => {
    const clock = new ManualClock();
    const scheduler = new DeterministicScheduler({ seed: 3, clock });
    const woke: number[] = [];
    scheduler.spawn('sleeper', async () => {
      await clock.sleep(100);
      woke.push(clock.now());
    });
    const result = await scheduler.run();
    expect(result.stalled).toEqual([]);
    expect(woke).toEqual([100]);
    expect(result.trace).toContain('clock:+100ms');
  });

  it('records task failures as outcomes and lets tasks spawn tasks', async () => {
    const scheduler = new DeterministicScheduler({ seed: 8 });
    scheduler.spawn('parent', async (ctx) => {
      scheduler.spawn('child', async (c) => {
        await c.step();
        return 42;
      });
      await ctx.step();
      throw new Error('boom');
    });
    const result = await scheduler.run();
    const byName = new Map(result.outcomes.map((o) => [o.name, o]));
    expect(byName.get('parent')?.status).toBe('rejected');
    expect((byName.get('parent')?.error as Error).message).toBe('boom');
    expect(byName.get('child')).toMatchObject({ status: 'fulfilled', value: 42 });
  });

  it('bounds a run by maxSteps', async () => {
    const scheduler = new DeterministicScheduler({ seed: 1, maxSteps: 50 });
    scheduler.spawn('spinner', async (ctx) => {
      for (;;) await ctx.step();
    });
    await expect(scheduler.run()).rejects.toThrow(/more than 50 steps/);
  });
});

describe('forEachSeed', () => {
  it('names the failing seed so it can be replayed', async () => {
    const seen: number[] = [];
    await expect(
      forEachSeed(10, async (seed) => {
        seen.push(seed);
        await Promise.resolve();
        if (seed === 4) throw new Error('bad interleaving');
      }),
    ).rejects.toThrow(/seed 4 \(replay: LOCKSTEP_SEED=4\): bad interleaving/);
    expect(seen).toEqual([1, 2, 3, 4]);
  });
});
