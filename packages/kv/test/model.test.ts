import { SimFileSystem } from '@lockstep/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KvStore, type KvIterator, type KvSnapshot, type WriteOp } from '../src/index.js';

/**
 * Model-based test: random writes (three write paths), deletes, snapshots, gets, iterators
 * (both directions, random bounds, seek, refresh, close), checkpoints and reopens, against
 * a Map plus copies of it per snapshot. Keys are hex strings of the byte keys (hex order is
 * byte order). Also checks garbage collection: the versions kept stay between what the pins
 * need (live versions) and what the collection rule allows (with tombstones).
 */
const RUNS = Number(process.env.KV_MODEL_RUNS ?? 300);
let executed = 0;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

interface ModelIterator {
  view: Map<string, string>;
  lower: { key: string; exclusive: boolean } | undefined;
  upper: { key: string; exclusive: boolean } | undefined;
  reverse: boolean;
  anchor: { key: string; exclusive: boolean } | undefined;
  explicit: boolean;
}

interface Model {
  current: Map<string, string>;
  history: Map<string, { seq: number; value: string | undefined }[]>;
  seq: number;
  snapshots: { seq: number; state: Map<string, string> }[];
  iterators: (ModelIterator & { pin: number })[];
}

interface Real {
  fs: SimFileSystem;
  db: KvStore;
  snapshots: KvSnapshot[];
  iterators: KvIterator[];
}

function modelNext(it: ModelIterator): string | undefined {
  const keys = [...it.view.keys()].sort();
  if (it.reverse) keys.reverse();
  for (const key of keys) {
    if (it.lower !== undefined && (key < it.lower.key || (key === it.lower.key && it.lower.exclusive))) continue;
    if (it.upper !== undefined && (key > it.upper.key || (key === it.upper.key && it.upper.exclusive))) continue;
    if (it.anchor !== undefined) {
      const c = key < it.anchor.key ? -1 : key > it.anchor.key ? 1 : 0;
      if (it.reverse ? c > 0 || (c === 0 && it.anchor.exclusive) : c < 0 || (c === 0 && it.anchor.exclusive)) continue;
    }
    it.anchor = { key, exclusive: true };
    return key;
  }
  return undefined;
}

function pins(model: Model): number[] {
  return [...model.snapshots.map((s) => s.seq), ...model.iterators.filter((i) => !i.explicit).map((i) => i.pin)];
}

/** [fewest, most] versions the engine may keep for these pins. */
function versionBounds(model: Model): [number, number] {
  const pinned = pins(model);
  let low = 0;
  let high = 0;
  for (const history of model.history.values()) {
    const head = history[history.length - 1]!;
    const kept = new Set<number>();
    const live = new Set<number>();
    if (head.value !== undefined) {
      kept.add(head.seq);
      live.add(head.seq);
    } else if (pinned.some((p) => p < head.seq)) kept.add(head.seq);
    for (const p of pinned) {
      let visible: { seq: number; value: string | undefined } | undefined;
      for (const v of history) if (v.seq <= p) visible = v;
      if (visible === undefined) continue;
      kept.add(visible.seq);
      if (visible.value !== undefined) live.add(visible.seq);
    }
    low += live.size;
    high += kept.size;
  }
  return [low, high];
}

const keyArb = fc.uint8Array({ minLength: 0, maxLength: 3, min: 0, max: 3 });
const opArb = fc.record({ key: keyArb, value: fc.option(fc.string({ maxLength: 3 }), { nil: undefined }) });
const boundArb = fc.option(fc.record({ key: keyArb, exclusive: fc.boolean() }), { nil: undefined });

function commands(): fc.Arbitrary<Iterable<fc.AsyncCommand<Model, Real>>> {
  const write = fc.record({ ops: fc.array(opArb, { minLength: 0, maxLength: 5 }), mode: fc.constantFrom('ordered', 'write', 'sync') }).map(
    ({ ops, mode }): fc.AsyncCommand<Model, Real> => ({
      check: () => true,
      run: async (model, real) => {
        const batch: WriteOp[] = ops.map((o) => (o.value === undefined ? { type: 'delete', key: o.key } : { type: 'put', key: o.key, value: new TextEncoder().encode(o.value) }));
        const seq = mode === 'ordered' ? real.db.writeOrdered(batch) : await real.db.write(batch, { sync: mode === 'sync' });
        model.seq++;
        expect(seq).toBe(BigInt(model.seq));
        for (const o of ops) {
          const k = hex(o.key);
          if (o.value === undefined) model.current.delete(k);
          else model.current.set(k, o.value);
          const h = model.history.get(k) ?? [];
          if (h.length > 0 && h[h.length - 1]!.seq === model.seq) h.pop();
          h.push({ seq: model.seq, value: o.value });
          model.history.set(k, h);
        }
      },
      toString: () => `write(${mode}, ${JSON.stringify(ops.map((o) => [hex(o.key), o.value ?? null]))})`,
    }),
  );
  const snapshot = fc.constant<fc.AsyncCommand<Model, Real>>({
    check: () => true,
    run: (model, real) => {
      real.snapshots.push(real.db.snapshot());
      model.snapshots.push({ seq: model.seq, state: new Map(model.current) });
      return Promise.resolve();
    },
    toString: () => 'snapshot',
  });
  const release = fc.nat().map(
    (n): fc.AsyncCommand<Model, Real> => ({
      check: (model) => model.snapshots.length > 0,
      run: (model, real) => {
        const i = n % model.snapshots.length;
        // An explicit-snapshot iterator must not outlive its snapshot: close those first.
        for (let j = model.iterators.length - 1; j >= 0; j--) {
          if (model.iterators[j]!.explicit && model.iterators[j]!.pin === model.snapshots[i]!.seq) {
            real.iterators[j]!.close();
            real.iterators.splice(j, 1);
            model.iterators.splice(j, 1);
          }
        }
        real.snapshots[i]!.release();
        real.snapshots.splice(i, 1);
        model.snapshots.splice(i, 1);
        return Promise.resolve();
      },
      toString: () => `release(${n})`,
    }),
  );
  const get = fc.record({ key: keyArb, snap: fc.integer({ min: -1, max: 5 }) }).map(
    ({ key, snap }): fc.AsyncCommand<Model, Real> => ({
      check: () => true,
      run: (model, real) => {
        const useSnap = snap >= 0 && model.snapshots.length > 0;
        const index = useSnap ? snap % model.snapshots.length : -1;
        const expected = useSnap ? model.snapshots[index]!.state.get(hex(key)) : model.current.get(hex(key));
        const got = real.db.get(key, useSnap ? { snapshot: real.snapshots[index]! } : {});
        expect(got === undefined ? undefined : new TextDecoder().decode(got)).toBe(expected);
        const entry = real.db.getEntry(key, useSnap ? { snapshot: real.snapshots[index]! } : {});
        if (expected !== undefined) {
          const at = useSnap ? model.snapshots[index]!.seq : model.seq;
          const history = model.history.get(hex(key))!;
          const visible = history.filter((v) => v.seq <= at).pop()!;
          expect(entry?.sequence).toBe(BigInt(visible.seq));
        }
        return Promise.resolve();
      },
      toString: () => `get(${hex(key)}, ${snap})`,
    }),
  );
  const open = fc.record({ lower: boundArb, upper: boundArb, reverse: fc.boolean(), snap: fc.integer({ min: -1, max: 3 }) }).map(
    ({ lower, upper, reverse, snap }): fc.AsyncCommand<Model, Real> => ({
      check: (model) => model.iterators.length < 6,
      run: (model, real) => {
        const useSnap = snap >= 0 && model.snapshots.length > 0;
        const index = useSnap ? snap % model.snapshots.length : -1;
        const options: Record<string, unknown> = { reverse };
        if (lower !== undefined) options[lower.exclusive ? 'gt' : 'gte'] = lower.key;
        if (upper !== undefined) options[upper.exclusive ? 'lt' : 'lte'] = upper.key;
        if (useSnap) options.snapshot = real.snapshots[index];
        real.iterators.push(real.db.iterator(options));
        model.iterators.push({
          view: new Map(useSnap ? model.snapshots[index]!.state : model.current),
          lower: lower === undefined ? undefined : { key: hex(lower.key), exclusive: lower.exclusive },
          upper: upper === undefined ? undefined : { key: hex(upper.key), exclusive: upper.exclusive },
          reverse,
          anchor: undefined,
          explicit: useSnap,
          pin: useSnap ? model.snapshots[index]!.seq : model.seq,
        });
        return Promise.resolve();
      },
      toString: () => `iterator(${JSON.stringify({ lower: lower && [hex(lower.key), lower.exclusive], upper: upper && [hex(upper.key), upper.exclusive], reverse, snap })})`,
    }),
  );
  const next = fc.record({ n: fc.nat(), count: fc.integer({ min: 1, max: 4 }) }).map(
    ({ n, count }): fc.AsyncCommand<Model, Real> => ({
      check: (model) => model.iterators.length > 0,
      run: (model, real) => {
        const i = n % model.iterators.length;
        for (let c = 0; c < count; c++) {
          const expectedKey = modelNext(model.iterators[i]!);
          const got = real.iterators[i]!.next();
          expect(got === undefined ? undefined : hex(got.key)).toBe(expectedKey);
          if (expectedKey !== undefined) expect(new TextDecoder().decode(got!.value)).toBe(model.iterators[i]!.view.get(expectedKey));
        }
        return Promise.resolve();
      },
      toString: () => `next(${n}, ${count})`,
    }),
  );
  const seek = fc.record({ n: fc.nat(), key: keyArb }).map(
    ({ n, key }): fc.AsyncCommand<Model, Real> => ({
      check: (model) => model.iterators.length > 0,
      run: (model, real) => {
        const i = n % model.iterators.length;
        real.iterators[i]!.seek(key);
        model.iterators[i]!.anchor = { key: hex(key), exclusive: false };
        return Promise.resolve();
      },
      toString: () => `seek(${n}, ${hex(key)})`,
    }),
  );
  const refresh = fc.nat().map(
    (n): fc.AsyncCommand<Model, Real> => ({
      check: (model) => model.iterators.some((it) => !it.explicit),
      run: (model, real) => {
        const implicit = model.iterators.map((it, index) => ({ it, index })).filter(({ it }) => !it.explicit);
        const { it, index } = implicit[n % implicit.length]!;
        real.iterators[index]!.refresh();
        it.view = new Map(model.current);
        it.pin = model.seq;
        return Promise.resolve();
      },
      toString: () => `refresh(${n})`,
    }),
  );
  const close = fc.nat().map(
    (n): fc.AsyncCommand<Model, Real> => ({
      check: (model) => model.iterators.length > 0,
      run: (model, real) => {
        const i = n % model.iterators.length;
        real.iterators[i]!.close();
        real.iterators.splice(i, 1);
        model.iterators.splice(i, 1);
        return Promise.resolve();
      },
      toString: () => `closeIterator(${n})`,
    }),
  );
  const checkpoint = fc.constant<fc.AsyncCommand<Model, Real>>({
    check: () => true,
    run: async (_model, real) => {
      await real.db.checkpoint();
    },
    toString: () => 'checkpoint',
  });
  const reopen = fc.constant<fc.AsyncCommand<Model, Real>>({
    check: () => true,
    run: async (model, real) => {
      await real.db.close();
      real.db = await KvStore.open('/db', { fs: real.fs, logFileBytes: 1024 });
      real.snapshots = [];
      real.iterators = [];
      model.snapshots = [];
      model.iterators = [];
      for (const [key, history] of model.history) {
        const head = history[history.length - 1]!;
        if (head.value === undefined) model.history.delete(key);
        else model.history.set(key, [head]);
      }
    },
    toString: () => 'reopen',
  });
  const stats = fc.constant<fc.AsyncCommand<Model, Real>>({
    check: () => true,
    run: (model, real) => {
      const st = real.db.stats();
      expect(st.liveKeys).toBe(model.current.size);
      expect(st.lastSequence).toBe(BigInt(model.seq));
      expect(st.snapshotsOpen).toBe(model.snapshots.length);
      expect(st.iteratorsOpen).toBe(model.iterators.length);
      const [low, high] = versionBounds(model);
      expect(st.versionsKept).toBeGreaterThanOrEqual(low);
      expect(st.versionsKept).toBeLessThanOrEqual(high);
      if (pins(model).length === 0) expect(st.versionsKept).toBe(model.current.size);
      return Promise.resolve();
    },
    toString: () => 'stats',
  });
  return fc.commands(
    [write, write, write, snapshot, release, get, get, open, next, next, seek, refresh, close, checkpoint, reopen, stats, stats],
    { maxCommands: 60 },
  );
}

describe('model-based: KvStore against a Map with snapshot copies', () => {
  it('matches the model for random histories', async () => {
    await fc.assert(
      fc.asyncProperty(commands(), async (cmds) => {
        const fs = new SimFileSystem({ seed: 1 });
        const db = await KvStore.open('/db', { fs, logFileBytes: 1024 });
        const real: Real = { fs, db, snapshots: [], iterators: [] };
        const model: Model = { current: new Map(), history: new Map(), seq: 0, snapshots: [], iterators: [] };
        try {
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          // Releasing every pin leaves exactly one version per live key.
          for (const it of real.iterators) it.close();
          for (const s of real.snapshots) s.release();
          expect(real.db.stats().versionsKept).toBe(model.current.size);
          const all = [...real.db.iterator()].map(({ key, value }) => [hex(key), new TextDecoder().decode(value)]);
          expect(all).toEqual([...model.current].sort(([a], [b]) => (a < b ? -1 : 1)));
        } finally {
          await real.db.close();
        }
        executed += 1;
      }),
      { numRuns: RUNS },
    );
    expect(executed).toBe(RUNS);
  });
});
