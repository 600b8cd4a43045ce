import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../src/index.js';

describe('ManualClock', () => {
  it('fires timers only when advanced, in due order, ties in set order', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.setTimer(30, () => fired.push('c'));
    clock.setTimer(10, () => fired.push('a'));
    clock.setTimer(10, () => fired.push('b'));
    expect(fired).toEqual([]);
    expect(clock.advance(9)).toBe(0);
    expect(clock.advance(1)).toBe(2);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(10);
    clock.advance(100);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('never fires a cancelled timer', () => {
    const clock = new ManualClock();
    let fired = false;
    const handle = clock.setTimer(5, () => { fired = true; });
    handle.cancel();
    handle.cancel();
    clock.advance(10);
    expect(fired).toBe(false);
  });

  it('fires timers that callbacks set within the advanced window', () => {
    const clock = new ManualClock();
    const at: number[] = [];
    clock.setTimer(5, () => {
      at.push(clock.now());
      clock.setTimer(5, () => at.push(clock.now()));
    });
    clock.advance(20);
    expect(at).toEqual([5, 10]);
    expect(clock.now()).toBe(20);
  });

  it('resolves sleep only after advancing past it', async () => {
    const clock = new ManualClock();
    let woke = false;
    const sleeping = clock.sleep(50).then(() => { woke = true; });
    await Promise.resolve();
    expect(woke).toBe(false);
    expect(clock.advanceToNextTimer()).toBe(1);
    await sleeping;
    expect(woke).toBe(true);
    expect(clock.now()).toBe(50);
  });

  it('rejects negative advances and keeps wall time consistent', () => {
    const clock = new ManualClock({ startMs: 100, wallStartMs: 1_000_000 });
    expect(() => clock.advance(-1)).toThrow(RangeError);
    clock.advance(25);
    expect(clock.wallNow()).toBe(1_000_025);
  });
});

describe('systemClock', () => {
  it('is monotonic and fires a real timer', async () => {
    const a = systemClock.now();
    await new Promise<void>((resolve) => systemClock.setTimer(1, resolve));
    expect(systemClock.now()).toBeGreaterThanOrEqual(a);
    expect(Math.abs(systemClock.wallNow() - Date.now())).toBeLessThan(1000);
  });
});
