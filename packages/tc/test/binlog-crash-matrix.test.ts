import { Random, SimFileSystem } from '@lockstep/base';
import { forEachSeed } from '@lockstep/base/testing';
import type { BinlogEvent } from '@lockstep/binlog';
import { describe, expect, it } from 'vitest';
import { BinlogFileCoordinator, readBinlogTransactions, type Gtid, type RecoveredTransaction, type TransactionBranch } from '../src/index.js';
import { applyToMap, applyToTransaction, Engine, HookedFs, rowEvents, type Hook, type RowOp } from './real-stack.js';

/**
 * The crash matrix: the real binlog writer, kv engine(s) and txn transactions on the
 * simulated file system, a crash at a chosen step of a group commit, then recovery.
 * Seeds: TC_CRASH_SEEDS (default 70, ten per step).
 */
const SEEDS = Number(process.env.TC_CRASH_SEEDS ?? 70);
const STEPS = ['before-write', 'after-write', 'after-fsync', 'mid-ordered', 'engine-checkpoint', 'rotation', 'random'] as const;
type Step = (typeof STEPS)[number];
const CLIENTS = 5;
const KEYS_PER_CLIENT = 4;
const TXNS_PER_CLIENT = 12;

const isBinlog = (path: string): boolean => path.startsWith('/db/binlog/binlog.0');
const isKv = (path: string): boolean => path.startsWith('/db/kv');

/** A crash trigger: fires `sim.crash` at the `k`-th occurrence of the step. */
class Trigger {
  count = 0;
  fired = false;
  armed = false;

  constructor(
    readonly sim: SimFileSystem,
    readonly step: Step,
    readonly k: number,
    readonly unsynced: 'drop' | 'torn',
    readonly rotationPoint: number,
  ) {}

  fire(): void {
    if (!this.armed || this.fired) return;
    this.count += 1;
    if (this.count < this.k) return;
    this.fired = true;
    this.sim.crash({ unsynced: this.unsynced });
  }

  readonly hook: Hook = (op, path, phase, write) => {
    const groupWrite = op === 'write' && isBinlog(path) && write !== undefined && write.position > 21 && write.length > 80;
    switch (this.step) {
      case 'before-write':
        if (groupWrite && phase === 'before') this.fire();
        break;
      case 'after-write':
        if (groupWrite && phase === 'after') this.fire();
        break;
      case 'after-fsync':
        if (op === 'sync' && isBinlog(path) && phase === 'after') this.fire();
        break;
      case 'engine-checkpoint':
        if ((op === 'sync' || op === 'datasync') && isKv(path)) this.fire();
        break;
      case 'rotation': {
        const points = [
          op === 'open' && isBinlog(path) && phase === 'before', // creating the next file
          op === 'write' && isBinlog(path) && write?.position === 21 && phase === 'after', // in-use flag of the old file cleared
          op === 'syncDir' && path === '/db/binlog' && phase === 'before', // the new file's name not yet durable
          op === 'rename' && path.endsWith('.index') && phase === 'after', // the index replaced
        ];
        if (points[this.rotationPoint % points.length] === true) this.fire();
        break;
      }
      case 'random':
        this.fire();
        break;
      case 'mid-ordered':
        break; // fired from the branches' commitOrdered
    }
  };
}

interface Client {
  readonly keys: number[];
  /** The client's rows after its last acknowledged commit. */
  model: Map<number, string>;
  /** Models after each of its commits, by XID (acknowledged or not). */
  readonly after: Map<bigint, Map<number, string>>;
  lastAcked: bigint | undefined;
  /** The commit in flight when the crash came (not acknowledged). */
  inFlight: bigint | undefined;
}

function nextOps(random: Random, client: Client, round: number): RowOp[] {
  const ops: RowOp[] = [];
  const touched = new Set<number>();
  const n = 1 + pick(random, 2);
  const next = new Map(client.model);
  for (let i = 0; i < n; i++) {
    const id = client.keys[pick(random, client.keys.length)]!;
    if (touched.has(id)) continue;
    touched.add(id);
    const before = next.get(id);
    const v = `r${round}-${pick(random, 1000)}`;
    if (before === undefined) {
      ops.push({ type: 'insert', id, v });
      next.set(id, v);
    } else if (pick(random, 3) === 0) {
      ops.push({ type: 'delete', id, before });
      next.delete(id);
    } else {
      ops.push({ type: 'update', id, before, after: v });
      next.set(id, v);
    }
  }
  return ops;
}

/** An integer in [0, n). */
function pick(random: Random, n: number): number {
  return random.int(0, n - 1);
}

async function allTransactions(sim: SimFileSystem): Promise<RecoveredTransaction<BinlogEvent[]>[]> {
  const out: RecoveredTransaction<BinlogEvent[]>[] = [];
  for await (const t of readBinlogTransactions({ fs: sim, dir: '/db/binlog' })) out.push(t);
  return out;
}

interface Life {
  engines: Engine[];
  tc: BinlogFileCoordinator;
}

async function open(sim: SimFileSystem, hook: Hook, twoEngines: boolean): Promise<Life> {
  const fs = new HookedFs(sim, hook);
  const first = await Engine.open(fs, '/db/kv', 'kv');
  const engines = twoEngines ? [first, await Engine.open(fs, '/db/kv2', 'kv2')] : [first];
  const byParticipant = new Map(engines.map((e) => [e.participant, e] as const));
  const tc = await BinlogFileCoordinator.open({
    fs,
    dir: '/db/binlog',
    serverId: 1,
    participants: engines.map((e) => e.participant),
    durablePosition: (p) => byParticipant.get(p)!.durable(),
    redo: (p, tx) => byParticipant.get(p)!.redo(tx),
    maxFileBytes: 4096,
    engineCheckpointBytes: 1500,
    engineCheckpointIntervalMs: 0,
  });
  return { engines, tc };
}

describe('crash matrix (real binlog, kv, txn on SimFileSystem)', () => {
  it('after a crash at any step of a group commit, recovery keeps every acknowledged commit, drops the unlogged, and engine = binlog row for row', async () => {
    const reached = new Map<Step, number>(STEPS.map((s) => [s, 0]));
    const seen = { redone: 0, truncated: 0, preparedCommitted: 0, preparedRolledBack: 0 };
    await forEachSeed(SEEDS, async (seed) => {
      const random = new Random(seed);
      const step = STEPS[seed % STEPS.length]!;
      const twoEngines = seed % 5 === 0;
      const sim = new SimFileSystem({ seed });
      await sim.mkdir('/db');
      const clients: Client[] = Array.from({ length: CLIENTS }, (_, c) => ({
        keys: Array.from({ length: KEYS_PER_CLIENT }, (_, k) => c * 100 + k),
        model: new Map(),
        after: new Map(),
        lastAcked: undefined,
        inFlight: undefined,
      }));
      let xid = 0n;
      for (let life = 0; life < 2; life++) {
        const trigger = new Trigger(sim, life === 0 ? step : 'random', 1 + pick(random, life === 0 ? (step === 'rotation' || step === 'engine-checkpoint' ? 2 : 12) : 60), seed % 2 === 0 ? 'drop' : 'torn', pick(random, 4));
        const { engines, tc } = await open(sim, trigger.hook, twoEngines);
        // The previous life's outcome, as recovery left it.
        await verify(sim, engines, tc, clients, seed);
        seen.redone += tc.recovery.redone;
        seen.truncated += tc.recovery.truncatedBytes > 0 ? 1 : 0;
        seen.preparedCommitted += tc.recovery.preparedCommitted;
        seen.preparedRolledBack += tc.recovery.preparedRolledBack;
        for (const client of clients) {
          client.inFlight = undefined;
          client.after.clear();
        }
        trigger.armed = true;
        let ordered = 0;
        let previousGroup = -1;
        const wrap = (b: TransactionBranch): TransactionBranch =>
          trigger.step === 'mid-ordered'
            ? {
                ...b,
                commitOrdered: (p) => {
                  ordered += 1;
                  // The queue counts a group as it starts its ordered phase: crash only after
                  // an earlier commit of the same group was ordered (in the middle of it).
                  const group = tc.stats().groups;
                  const midGroup = group === previousGroup;
                  previousGroup = group;
                  if (ordered >= trigger.k && midGroup && trigger.armed && !trigger.fired) {
                    trigger.fired = true;
                    trigger.count = ordered;
                    sim.crash({ unsynced: trigger.unsynced });
                  }
                  b.commitOrdered(p);
                },
              }
            : b;
        await Promise.all(
          clients.map(async (client) => {
            for (let round = 0; round < TXNS_PER_CLIENT; round++) {
              const ops = nextOps(random, client, round + life * 100);
              const model = new Map(client.model);
              for (const op of ops) {
                if (op.type === 'delete') model.delete(op.id);
                else model.set(op.id, op.type === 'insert' ? op.v : op.after);
              }
              xid += 1n;
              const id = xid;
              const events = rowEvents(ops);
              const branches: TransactionBranch[] = [];
              for (const engine of engines) {
                const t = engine.db.begin();
                await applyToTransaction(t, events);
                branches.push(wrap(t.branch()));
              }
              client.after.set(id, model);
              client.inFlight = id;
              const result = await tc.logAndOrder({ xid: id, branches, events });
              if (result.status !== 'committed') return; // the crash: this client stops
              client.model = model;
              client.lastAcked = id;
              client.inFlight = undefined;
            }
          }),
        );
        // An engine checkpoint after the commits (one may be running already): a crash step
        // inside it (the engine's fsync, the BINLOG_CHECKPOINT write) is reached here too.
        if (!trigger.fired) await tc.checkpoint().catch(() => undefined);
        if (!trigger.fired) {
          // The step was not reached by the commits: crash now (a plain crash after them).
          sim.crash({ unsynced: trigger.unsynced });
        } else if (life === 0) {
          reached.set(step, reached.get(step)! + 1);
        }
      }
      // The last life's outcome.
      const { engines, tc } = await open(sim, () => undefined, twoEngines);
      await verify(sim, engines, tc, clients, seed);
      await tc.close();
      for (const engine of engines) await engine.store.close();
    });
    if (process.env.TC_DEBUG !== undefined) console.log(reached, seen);
    for (const step of STEPS) expect(reached.get(step), `crash step ${step} never reached`).toBeGreaterThan(0);
    expect(seen.redone).toBeGreaterThan(0);
    expect(seen.truncated).toBeGreaterThan(0);
    expect(seen.preparedCommitted).toBeGreaterThan(0);
  });
});

/**
 * After recovery: the engines equal the binlog replayed from its first file (row for row),
 * every client's rows equal its last acknowledged commit or — if that is in the binlog —
 * its commit in flight, and the GTID state equals the binlog's last GTID.
 */
async function verify(sim: SimFileSystem, engines: readonly Engine[], tc: BinlogFileCoordinator, clients: readonly Client[], seed: number): Promise<void> {
  const logged = await allTransactions(sim);
  const rows = new Map<number, string>();
  const last = new Map<number, Gtid>();
  for (const t of logged) {
    applyToMap(rows, t.events);
    last.set(t.gtid.domainId, t.gtid);
  }
  for (const engine of engines) expect(engine.rows(), `seed ${seed}: engine ${engine.participant.name} differs from the binlog`).toEqual(rows);
  const xids = new Set(logged.map((t) => t.xid));
  for (const client of clients) {
    if (client.lastAcked !== undefined) expect(xids.has(client.lastAcked), `seed ${seed}: acknowledged XID ${client.lastAcked} lost`).toBe(true);
    const expected = client.inFlight !== undefined && xids.has(client.inFlight) ? client.after.get(client.inFlight)! : client.model;
    const actual = new Map([...rows].filter(([id]) => client.keys.includes(id)));
    expect(actual, `seed ${seed}: client rows`).toEqual(expected);
    client.model = actual;
  }
  expect(tc.gtidBinlogPos(), `seed ${seed}: GTID state`).toEqual([...last.values()]);
  expect(tc.writer.gtidPosition.list(), `seed ${seed}: writer GTID state`).toEqual([...last.values()]);
}
