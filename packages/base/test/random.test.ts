import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from '../src/index.js';

describe('Random', () => {
  it('gives the same stream for the same seed, whatever the seed type', () => {
    for (const seed of [0, 1, 42, 2 ** 40 + 3, -7, 12345678901234567890n, 'replay-me']) {
      const a = new Random(seed);
      const b = new Random(seed);
      const xs = Array.from({ length: 100 }, () => a.nextUint32());
      const ys = Array.from({ length: 100 }, () => b.nextUint32());
      expect(xs).toEqual(ys);
    }
  });

  it('gives different streams for nearby seeds', () => {
    const a = Array.from({ length: 8 }, ((r) => () => r.nextUint32())(new Random(1)));
    const b = Array.from({ length: 8 }, ((r) => () => r.nextUint32())(new Random(2)));
    expect(a).not.toEqual(b);
  });

  it('keeps int within bounds and reaches both ends', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 20 }), (seed, min, width) => {
        const r = new Random(seed);
        const seen = new Set<number>();
        for (let i = 0; i < 400; i++) {
          const v = r.int(min, min + width);
          expect(v).toBeGreaterThanOrEqual(min);
          expect(v).toBeLessThanOrEqual(min + width);
          seen.add(v);
        }
        expect(seen.has(min)).toBe(true);
        expect(seen.has(min + width)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects bad ranges and empty picks', () => {
    const r = new Random(1);
    expect(() => r.int(5, 4)).toThrow(RangeError);
    expect(() => r.int(0.5, 4)).toThrow(RangeError);
    expect(() => r.pick([])).toThrow(RangeError);
  });

  it('is roughly uniform', () => {
    const r = new Random(7);
    const counts = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[r.int(0, 9)]! += 1;
    for (const c of counts) expect(Math.abs(c - n / 10)).toBeLessThan(n / 10 * 0.05);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
  });

  it('shuffles into a permutation and forks reproducibly', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = new Random(3).shuffle([...items]);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
    expect(shuffled).not.toEqual(items);
    const f1 = new Random(9).fork();
    const f2 = new Random(9).fork();
    expect(f1.bytes(16)).toEqual(f2.bytes(16));
    expect(new Random(5).bool(0)).toBe(false);
    expect(new Random(5).bool(1)).toBe(true);
  });
});
