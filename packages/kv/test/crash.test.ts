import { setImmediate as nextTurn } from 'node:timers/promises';
import { Random, SimFileSystem } from '@lockstep/base';
import { forEachSeed } from '@lockstep/base/testing';
import { describe, expect, it } from 'vitest';
import { KvIoError, KvStore } from '../src/index.js';
import { contents, History, ProcessFileSystem, runHistory, verifyRecovered } from './crash-harness.js';
import { tempDir } from './helpers.js';

const CRASH_SEEDS = Number(process.env.KV_CRASH_SEEDS ?? 80);
const FAULT_SEEDS = Number(process.env.KV_FAULT_SEEDS ?? 100);

const smallFiles = { logFileBytes: 2048, checkpointAfterLogBytes: 6000, checkpointChunkBytes: 256 };

describe('crash recovery on the simulated file system', () => {
  it('after a crash at a random point every acknowledged write survives, no batch is partial, prepared XIDs and the coordinator position are exact', async () => {
    let discardedTails = 0;
    let checkpointsLoaded = 0;
    await forEachSeed(CRASH_SEEDS, async (seed) => {
      const random = new Random(seed);
      const sim = new SimFileSystem({ seed });
      const history = new History();
      // Several lives: crash, reopen, verify, continue the same history.
      for (let life = 0; life < 3; life++) {
        const process = new ProcessFileSystem(sim);
        const db = await KvStore.open('/db', { fs: process, ...smallFiles });
        verifyRecovered(db, history);
        // The engine now holds exactly the recovered prefix: continue the history from it.
        history.events.length = 0;
        history.durableIndex = -1;
        history.events.push(...baseline(db));
        // What recovery found is durable (replayed logs are fsynced on open).
        history.ack(history.events.length - 1);
        let dead = false;
        const crashAfterTurns = random.int(1, 40);
        const crasher = (async () => {
          for (let t = 0; t < crashAfterTurns; t++) await nextTurn();
          dead = true;
          process.kill();
          sim.crash({ unsynced: random.bool(0.5) ? 'torn' : 'drop' });
        })();
        await runHistory(db, random, history, { clients: 4, stepsPerClient: 40, stopped: () => dead });
        await crasher;
        await db.close();
        const after = new ProcessFileSystem(sim);
        const reopened = await KvStore.open('/db', { fs: after, ...smallFiles });
        verifyRecovered(reopened, history);
        const recovery = reopened.stats().recovery;
        discardedTails += recovery.discarded.length;
        if (recovery.checkpointFile !== undefined) checkpointsLoaded++;
        await reopened.close();
      }
    });
    // The runs must actually exercise torn tails and checkpoint loads, or they prove little.
    expect(discardedTails).toBeGreaterThan(0);
    expect(checkpointsLoaded).toBeGreaterThan(0);
  });
});

/** The state of a freshly opened store as history events (one batch per key would lose sequences; a prepared-free snapshot is enough here). */
function baseline(db: KvStore): History['events'] {
  const seq = Number(db.stats().lastSequence);
  const events: History['events'] = [];
  const prepared = db.recoverPrepared();
  for (const p of prepared) events.push({ kind: 'prepare', xid: p.xid, ops: p.ops });
  const ops = [...db.iterator()].map(({ key, value }) => ({ type: 'put' as const, key: key.slice(), value: value.slice() }));
  const position = db.durableCoordinatorPosition();
  events.push({ kind: 'batch', seq, ops, position });
  return events;
}

describe('I/O faults on the simulated file system', () => {
  it('an EIO or ENOSPC on the Nth call gives a typed error, the engine stays readable and consistent, and a reopen keeps every acknowledged write', async () => {
    let sawFailure = 0;
    let resumed = 0;
    await forEachSeed(FAULT_SEEDS, async (seed) => {
      const random = new Random(seed);
      const sim = new SimFileSystem({ seed });
      const history = new History();
      const process = new ProcessFileSystem(sim);
      const db = await KvStore.open('/db', { fs: process, ...smallFiles });
      const code = random.bool(0.5) ? 'ENOSPC' : 'EIO';
      sim.injectFault({
        operations: ['write', 'datasync', 'sync', 'open', 'rename', 'syncDir', 'truncate'],
        nth: random.int(1, 120),
        persistent: random.bool(0.5),
        code,
      });
      await runHistory(db, random, history, { clients: 3, stepsPerClient: 40, stopped: () => db.stats().writeFailure !== undefined });
      // Readable and consistent: memory holds exactly every event applied.
      const { state } = history.replay(history.events.length - 1);
      expect(contents(db)).toEqual(state);
      const failure = db.stats().writeFailure;
      if (failure !== undefined) {
        sawFailure++;
        let error: unknown;
        try {
          db.writeOrdered([]);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(KvIoError);
        expect((error as KvIoError).errno).toBe((error as KvIoError).fsCode === 'ENOSPC' ? 1021 : 1026);
        sim.clearFaults();
        // After ENOSPC on a log write, writes resume once space returns; other failures last until reopen.
        try {
          const before = Number(db.stats().lastSequence);
          const promise = db.write([{ type: 'put', key: new Uint8Array([1]), value: new Uint8Array([2]) }], { sync: true });
          await promise;
          history.events.push({ kind: 'batch', seq: before + 1, ops: [{ type: 'put', key: new Uint8Array([1]), value: new Uint8Array([2]) }], position: undefined });
          history.ack(history.events.length - 1);
          resumed++;
          expect(db.stats().writeFailure).toBeUndefined();
        } catch (e) {
          expect(e).toBeInstanceOf(KvIoError);
        }
      }
      sim.clearFaults();
      await db.close();
      if (random.bool(0.5)) sim.crash({ unsynced: 'torn' });
      const reopened = await KvStore.open('/db', { fs: new ProcessFileSystem(sim), ...smallFiles });
      verifyRecovered(reopened, history);
      await reopened.close();
    });
    expect(sawFailure).toBeGreaterThan(0);
    expect(resumed).toBeGreaterThan(0);
  });
});

describe('the same histories on the real file system', () => {
  it('concurrent histories with checkpoints survive close and reopen exactly', async () => {
    for (let seed = 1; seed <= 4; seed++) {
      const { dir, cleanup } = await tempDir();
      try {
        const random = new Random(seed);
        const history = new History();
        const db = await KvStore.open(dir, smallFiles);
        await runHistory(db, random, history, { clients: 4, stepsPerClient: 50, stopped: () => false });
        expect(history.errors).toEqual([]);
        await db.close();
        const reopened = await KvStore.open(dir, smallFiles);
        const { recoveredEvents } = verifyRecovered(reopened, history);
        expect(Number(reopened.stats().lastSequence)).toBe(Math.max(0, ...history.events.map((e) => ('seq' in e ? e.seq : 0))));
        expect(recoveredEvents).toBe(history.events.length);
        await reopened.close();
      } finally {
        await cleanup();
      }
    }
  });
});
