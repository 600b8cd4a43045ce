import { Random, SimFileSystem } from '@lockstep/base';
import { forEachSeed } from '@lockstep/base/testing';
import { describe, expect, it } from 'vitest';
import type { ParallelMode } from '../src/index.js';
import { checkCaughtUp, connectApplier, describeStall, withDeadline, type RunConfig } from './real/harness.js';
import { randomHistory, readRelayLog, writePrimaryBinlog } from './real/history.js';
import { RealApplyTarget, Replica } from './real/real-target.js';

/**
 * The applier on the real stack (txn over kv, locktree, the replica binlog through tc's
 * BinlogFileCoordinator, relay log read back by @lockstep/binlog) on SimFileSystem.
 * Seeds per configuration: REPL_REAL_SEEDS (default 3).
 */
const SEEDS = Number(process.env.REPL_REAL_SEEDS ?? 3);
const WORKERS = [1, 2, 4, 8, 16, 32];

function configurations(): RunConfig[] {
  const out: RunConfig[] = [{ mode: 'none', workers: 1, keyAware: false }];
  for (const workers of WORKERS) out.push({ mode: 'minimal', workers, keyAware: false });
  for (const mode of ['conservative', 'optimistic', 'aggressive'] as const satisfies readonly ParallelMode[]) {
    for (const keyAware of [true, false]) for (const workers of WORKERS) out.push({ mode, workers, keyAware });
  }
  return out;
}

async function runSeed(seed: number, config: RunConfig): Promise<{ problems: string[]; retried: number; kills: number; speculative: number }> {
  const fs = new SimFileSystem();
  const history = randomHistory(new Random(seed));
  await writePrimaryBinlog(fs, '/primary', history);
  const relay = await readRelayLog(fs, '/primary');
  const replica = await Replica.open({ fs, dir: '/replica', engineCheckpointIntervalMs: 0 });
  const target = new RealApplyTarget(replica);
  const applier = connectApplier(target, { ...config, commitOverlap: seed % 3 === 0 ? 1 : 0 });
  const label = `seed ${seed} ${config.mode} x${config.workers} keyAware=${config.keyAware}`;
  const outcome = await withDeadline(applier.run(relay), 20_000, label, () => describeStall(applier, target));
  const problems = await checkCaughtUp(fs, '/replica', replica, target, history, relay, outcome);
  await replica.close();
  const { counters } = applier.status();
  return { problems: problems.map((p) => `${label}: ${p}`), retried: counters.retried, kills: counters.kills, speculative: counters.speculativeErrors };
}

describe('the applier on the real stack', () => {
  it('seeded histories under every mode x workers {1..32} x key-aware: rows equal a serial replay, commit order per domain equals the primary, nothing twice or skipped, no lock-wait timeout', async () => {
    let kills = 0;
    let retried = 0;
    let speculative = 0;
    let runs = 0;
    for (const config of configurations()) {
      await forEachSeed(SEEDS, async (seed) => {
        const report = await runSeed(seed * 1000 + runs, config);
        expect(report.problems).toEqual([]);
        kills += report.kills;
        retried += report.retried;
        speculative += report.speculative;
      });
      runs += 1;
    }
    // Conflicts must happen on these hot keys, or the runs prove nothing about kill-and-retry.
    expect(kills).toBeGreaterThan(0);
    expect(retried).toBeGreaterThan(0);
    console.log(`real stack: ${runs} configurations x ${SEEDS} seeds, ${kills} kills, ${retried} retries, ${speculative} speculative errors retried`);
  });
});
