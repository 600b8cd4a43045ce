import { forEachSeed } from '@lockstep/base/testing';
import { describe, expect, it } from 'vitest';
import type { ParallelMode } from '../src/index.js';
import { simulate } from './sim/simulate.js';

const MODES: readonly ParallelMode[] = ['none', 'minimal', 'conservative', 'optimistic', 'aggressive'];
const WORKERS = [1, 2, 3, 4, 8, 16, 32];

describe('deterministic simulation', () => {
  it('equals a serial replay, commits in primary order per domain, never stalls (every mode, workers 1..32, key-aware on and off)', async () => {
    let retried = 0;
    await forEachSeed(2000, async (seed) => {
      const mode = MODES[seed % MODES.length]!;
      const workers = WORKERS[Math.floor(seed / MODES.length) % WORKERS.length]!;
      const keyAware = seed % 2 === 0;
      const commitOverlap = Math.floor(seed / 7) % 3;
      const report = await simulate(seed, { mode, workers, keyAware, commitOverlap });
      expect(report.problems, `${mode} x${workers} keyAware=${keyAware} commitOverlap=${commitOverlap}`).toEqual([]);
      retried += report.status.at(-1)!.counters.retried;
    });
    // The runs must exercise conflicts, or they prove nothing about kill-and-retry.
    expect(retried).toBeGreaterThan(0);
  });

  it('survives injected lock-wait timeouts and kills', async () => {
    let injected = 0;
    await forEachSeed(
      1000,
      async (seed) => {
        const mode = MODES[seed % MODES.length]!;
        const workers = WORKERS[seed % WORKERS.length]!;
        const report = await simulate(seed, { mode, workers, keyAware: seed % 3 !== 0, injectTimeoutP: 0.3, injectKillP: 0.05, commitOverlap: seed % 2 });
        expect(report.problems, `${mode} x${workers}`).toEqual([]);
        injected += report.injected.timeouts + report.injected.kills;
      },
      10_000,
    );
    expect(injected).toBeGreaterThan(100);
  });

  it('restarts after a crash at a seed-chosen point and ends with nothing applied twice or skipped', async () => {
    let crashes = 0;
    await forEachSeed(
      1000,
      async (seed) => {
        const mode = MODES[seed % MODES.length]!;
        const workers = WORKERS[seed % WORKERS.length]!;
        const report = await simulate(seed, { mode, workers, keyAware: seed % 2 === 1, crash: true, injectTimeoutP: 0.05, commitOverlap: (seed >> 1) % 2 });
        expect(report.problems, `${mode} x${workers}`).toEqual([]);
        if (report.crashed) crashes += 1;
      },
      20_000,
    );
    expect(crashes).toBeGreaterThan(500);
  });

  it('control: the same checks catch an applier that never hears of lock waits (cycles end only by timeout)', async () => {
    let caught = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const report = await simulate(seed, { mode: 'optimistic', workers: 8, keyAware: false, reportLockWaits: false, retryLimit: 3 });
      if (report.problems.length > 0) caught += 1;
    }
    expect(caught).toBeGreaterThan(20);
  });
});
