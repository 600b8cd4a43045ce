import { Random, SimFileSystem, type FileHandle, type FileStat, type FileSystem, type OpenOptions } from '@lockstep/base';
import { forEachSeed } from '@lockstep/base/testing';
import { describe, expect, it } from 'vitest';
import type { ParallelMode } from '../src/index.js';
import { checkCaughtUp, connectApplier, describeStall, withDeadline } from './real/harness.js';
import { randomHistory, readRelayLog, writePrimaryBinlog } from './real/history.js';
import { RealApplyTarget, Replica } from './real/real-target.js';

/**
 * Crash and restart on the real stack: the replica (kv + its binlog) on SimFileSystem
 * crashes at a seed-chosen file-system call while the applier runs (unsynced writes
 * dropped or torn); the replica reopens (tc recovery redoes from the replica binlog what
 * kv lost), the applier restarts from the stored positions, and the end state must equal
 * the serial replay with every primary transaction in the replica binlog exactly once, in
 * order. Seeds: REPL_REAL_CRASH_SEEDS (default 40; 200 passed once).
 */
const SEEDS = Number(process.env.REPL_REAL_CRASH_SEEDS ?? 40);
const MODES: readonly ParallelMode[] = ['none', 'minimal', 'conservative', 'optimistic', 'aggressive'];
const WORKERS = [1, 2, 4, 8, 16, 32];

/** Counts calls on the replica's files and crashes the SimFileSystem at the `crashAt`-th one. */
class CrashingFs implements FileSystem {
  calls = 0;
  crashed = false;
  /** Calls are counted only once armed (after the replica opened). */
  armed = false;

  constructor(
    readonly sim: SimFileSystem,
    readonly crashAt: number,
    readonly unsynced: 'drop' | 'torn',
  ) {}

  #tick(path: string): void {
    if (!this.armed || !path.startsWith('/replica') || this.crashed) return;
    this.calls += 1;
    if (this.calls === this.crashAt) {
      this.crashed = true;
      this.sim.crash({ unsynced: this.unsynced });
    }
  }

  async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    this.#tick(path);
    const h = await this.sim.open(path, options);
    const tick = (): void => {
      this.#tick(path);
    };
    return {
      path: h.path,
      read: (buffer, offset, length, position) => h.read(buffer, offset, length, position),
      write: (data, position) => (tick(), h.write(data, position)),
      append: (data) => (tick(), h.append(data)),
      sync: () => (tick(), h.sync()),
      datasync: () => (tick(), h.datasync()),
      truncate: (length) => (tick(), h.truncate(length)),
      size: () => h.size(),
      close: () => h.close(),
    };
  }
  readFile(path: string): Promise<Uint8Array> {
    return this.sim.readFile(path);
  }
  writeFile(path: string, data: Uint8Array): Promise<void> {
    this.#tick(path);
    return this.sim.writeFile(path, data);
  }
  rename(from: string, to: string): Promise<void> {
    this.#tick(to);
    return this.sim.rename(from, to);
  }
  unlink(path: string): Promise<void> {
    this.#tick(path);
    return this.sim.unlink(path);
  }
  readdir(dir: string): Promise<string[]> {
    return this.sim.readdir(dir);
  }
  mkdir(dir: string, options?: { readonly recursive?: boolean }): Promise<void> {
    return this.sim.mkdir(dir, options);
  }
  stat(path: string): Promise<FileStat> {
    return this.sim.stat(path);
  }
  exists(path: string): Promise<boolean> {
    return this.sim.exists(path);
  }
  syncDir(dir: string): Promise<void> {
    this.#tick(dir);
    return this.sim.syncDir(dir);
  }
  rm(path: string, options?: { readonly recursive?: boolean; readonly force?: boolean }): Promise<void> {
    this.#tick(path);
    return this.sim.rm(path, options);
  }
}

describe('crash and restart on the real stack', () => {
  it('a crash at a seed-chosen file-system call, reopen, restart from the stored positions: ends equal to the serial replay, nothing applied twice or skipped', async () => {
    let crashes = 0;
    let redone = 0;
    let resumedMidway = 0;
    await forEachSeed(SEEDS, async (seed) => {
      const random = new Random(seed);
      const mode = MODES[seed % MODES.length]!;
      const workers = WORKERS[random.int(0, WORKERS.length - 1)]!;
      const keyAware = random.bool(0.5);
      const label = `seed ${seed} ${mode} x${workers} keyAware=${keyAware}`;
      const sim = new SimFileSystem();
      const history = randomHistory(random);
      await writePrimaryBinlog(sim, '/primary', history);
      const relay = await readRelayLog(sim, '/primary');
      // Life 1: crash at a call chosen among the first 161 on the replica (a whole run makes about 100-250).
      const crashing = new CrashingFs(sim, 1 + random.int(0, 160), random.bool(0.5) ? 'torn' : 'drop');
      const first = await Replica.open({ fs: crashing, dir: '/replica', engineCheckpointIntervalMs: 0, maxFileBytes: 8192 });
      crashing.armed = true;
      const firstTarget = new RealApplyTarget(first);
      const applier = connectApplier(firstTarget, { mode, workers, keyAware, commitOverlap: seed % 2 });
      const outcome = await withDeadline(applier.run(relay), 20_000, `${label} (life 1)`, () => describeStall(applier, firstTarget));
      crashing.armed = false; // a run that ended before the chosen call closes cleanly
      if (crashing.crashed) {
        crashes += 1;
        expect(outcome.state, label).toBe('failed');
      } else {
        expect(outcome.state, label).toBe('caught-up');
        await first.close();
      }
      // Life 2: a fresh file-system wrapper (kv keeps its open directories per object).
      const fs = new CrashingFs(sim, 0, 'drop');
      const replica = await Replica.open({ fs, dir: '/replica', engineCheckpointIntervalMs: 0, maxFileBytes: 8192 });
      redone += replica.redone.count;
      const positions = replica.positions();
      if (positions.length > 0 && positions.some((p) => relay.findIndex((t) => t.gtid.domainId === p.domainId && t.gtid.seqNo > p.seqNo) >= 0)) resumedMidway += 1;
      const target = new RealApplyTarget(replica);
      const second = connectApplier(target, { mode, workers, keyAware, startPosition: positions });
      const finished = await withDeadline(second.run(relay), 20_000, `${label} (life 2)`, () => describeStall(second, target));
      expect(await checkCaughtUp(fs, '/replica', replica, target, history, relay, finished), label).toEqual([]);
      await replica.close();
    });
    console.log(`crash test: ${SEEDS} seeds, ${crashes} crashes, ${redone} transactions redone from the replica binlog, ${resumedMidway} restarts in the middle of the history`);
    if (process.env.LOCKSTEP_SEED !== undefined) return; // one replayed seed: no coverage bounds
    // The seeds must reach crashes, redo from the replica binlog, and restarts in the middle.
    expect(crashes).toBeGreaterThan(SEEDS / 3);
    expect(redone).toBeGreaterThan(0);
    expect(resumedMidway).toBeGreaterThan(SEEDS / 4);
  });
});
