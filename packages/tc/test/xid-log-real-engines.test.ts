import { Random, SimFileSystem } from '@lockstep/base';
import { forEachSeed } from '@lockstep/base/testing';
import { describe, expect, it } from 'vitest';
import { XidLogCoordinator } from '../src/index.js';
import { applyToMap, applyToTransaction, Engine, HookedFs, rowEvents, type RowOp } from './real-stack.js';

/**
 * The XID-log coordinator with two real kv engines through txn (classic two-phase commit:
 * prepare in both, the XID in the log with one datasync per group, commitOrdered in both
 * without an engine fsync), crashed at a seed-chosen file-system call.
 * Seeds: TC_XID_CRASH_SEEDS (default 30).
 */
const SEEDS = Number(process.env.TC_XID_CRASH_SEEDS ?? 30);
const CLIENTS = 4;

async function open(sim: SimFileSystem, hook: (op: string) => void) {
  const fs = new HookedFs(sim, (op, _path, phase) => {
    if (phase === 'before') hook(op);
  });
  const a = await Engine.open(fs, '/db/kvA', 'a');
  const b = await Engine.open(fs, '/db/kvB', 'b');
  const tc = await XidLogCoordinator.open({ dir: '/db/xid', participants: [a.participant, b.participant], fs });
  return { a, b, tc };
}

describe('XidLogCoordinator with two real kv engines (txn branches)', () => {
  it('after a crash at any file-system call, no transaction is committed in one engine only and every acknowledged one is in both', async () => {
    const seen = { committed: 0, rolledBack: 0 };
    await forEachSeed(SEEDS, async (seed) => {
      const random = new Random(seed);
      const sim = new SimFileSystem({ seed });
      await sim.mkdir('/db');
      let armed = false;
      let calls = 0;
      const crashAt = random.int(1, 150);
      const { a, b, tc } = await open(sim, () => {
        if (!armed) return;
        calls += 1;
        if (calls === crashAt) sim.crash({ unsynced: seed % 2 === 0 ? 'drop' : 'torn' });
      });
      armed = true;
      const acked = new Map<number, Map<number, string>>();
      const inFlight = new Map<number, Map<number, string>>();
      let xid = 0n;
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, c) => {
          let model = new Map<number, string>();
          for (let round = 0; round < 10; round++) {
            const id = c * 10 + random.int(0, 2);
            const before = model.get(id);
            const v = `s${seed}r${round}`;
            const ops: RowOp[] = before === undefined ? [{ type: 'insert', id, v }] : [{ type: 'update', id, before, after: v }];
            const next = new Map(model);
            applyToMap(next, rowEvents(ops));
            const events = rowEvents(ops);
            const ta = a.db.begin();
            const tb = b.db.begin();
            await applyToTransaction(ta, events);
            await applyToTransaction(tb, events);
            inFlight.set(c, next);
            const result = await tc.logAndOrder({ xid: (xid += 1n), branches: [ta.branch(), tb.branch()] });
            if (result.status !== 'committed') return;
            model = next;
            acked.set(c, next);
            inFlight.delete(c);
          }
        }),
      );
      if (calls < crashAt) sim.crash({ unsynced: 'drop' });
      const reopened = await open(sim, () => undefined);
      seen.committed += reopened.tc.recovery.committed;
      seen.rolledBack += reopened.tc.recovery.rolledBack;
      const rowsA = reopened.a.rows();
      expect(reopened.b.rows(), `seed ${seed}: the engines disagree`).toEqual(rowsA);
      expect(await reopened.a.participant.recoverPrepared()).toEqual([]);
      expect(await reopened.b.participant.recoverPrepared()).toEqual([]);
      for (let c = 0; c < CLIENTS; c++) {
        const mine = new Map([...rowsA].filter(([id]) => Math.floor(id / 10) === c));
        const last = acked.get(c) ?? new Map<number, string>();
        const pending = inFlight.get(c);
        const ok = JSON.stringify([...mine].sort()) === JSON.stringify([...last].sort()) || (pending !== undefined && JSON.stringify([...mine].sort()) === JSON.stringify([...pending].sort()));
        expect(ok, `seed ${seed}: client ${c} rows ${JSON.stringify([...mine])} are neither its last acknowledged state nor its commit in flight`).toBe(true);
      }
      await reopened.tc.close();
      await reopened.a.store.close();
      await reopened.b.store.close();
    });
    // The seeds reach both outcomes of recovery.
    expect(seen.committed).toBeGreaterThan(0);
    expect(seen.rolledBack).toBeGreaterThan(0);
  });
});
