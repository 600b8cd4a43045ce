import { ManualClock, Random } from '@lockstep/base';
import { DeterministicScheduler } from '@lockstep/base/testing';
import { formatGtid } from '@lockstep/tc';
import { ParallelApplier, type ApplierOutcome, type ApplierStatus, type ParallelMode } from '../../src/index.js';
import { domainOrder, generateHistory, serialReplay, type HistoryOptions, defaultHistory } from './history.js';
import { MemoryDatabase, type DatabaseSnapshot } from './memory-database.js';

export interface SimulationOptions {
  readonly mode: ParallelMode;
  readonly workers: number;
  readonly keyAware: boolean;
  readonly history?: HistoryOptions;
  readonly injectTimeoutP?: number;
  readonly injectKillP?: number;
  /** Crash (forced stop, restart from the committed state) once, at a seed-chosen point. */
  readonly crash?: boolean;
  readonly retryLimit?: number;
  readonly domainWorkerCap?: number;
  readonly maxQueuedBytes?: number;
  readonly commitOverlap?: number;
  /** Forward the database's lock-wait reports to the applier (default true; false only to prove the checks can fail). */
  readonly reportLockWaits?: boolean;
}

export interface SimulationReport {
  readonly problems: string[];
  readonly outcome: ApplierOutcome | undefined;
  readonly status: ApplierStatus[];
  readonly crashed: boolean;
  readonly steps: number;
  /** Faults the database injected, over every phase. */
  readonly injected: { timeouts: number; kills: number };
}

/**
 * One seeded run: a generated primary history applied by the applier to the in-memory
 * database, every interleaving chosen by the deterministic scheduler from the seed.
 * Returns the list of broken invariants (empty when the run is correct).
 */
export async function simulate(seed: number, options: SimulationOptions): Promise<SimulationReport> {
  const random = new Random(seed);
  const history = generateHistory(random.fork(), options.history ?? defaultHistory);
  const clock = new ManualClock();
  const problems: string[] = [];
  const statuses: ApplierStatus[] = [];
  let snapshot: DatabaseSnapshot | undefined;
  let crashAt = options.crash === true ? random.int(0, 60) : -1;
  let outcome: ApplierOutcome | undefined;
  let crashed = false;
  let steps = 0;
  const injected = { timeouts: 0, kills: 0 };
  let db: MemoryDatabase | undefined;
  for (let phase = 0; phase < 3; phase++) {
    const scheduler = new DeterministicScheduler({ seed: `${seed}:${phase}`, clock, maxSteps: 50_000 });
    const yieldPoint = (label: string): Promise<void> =>
      new Promise((resolve) => {
        scheduler.spawn(label, () => {
          resolve();
          return Promise.resolve();
        });
      });
    db = new MemoryDatabase({
      clock,
      random: random.fork(),
      yieldPoint,
      injectTimeoutP: options.injectTimeoutP ?? 0,
      injectKillP: options.injectKillP ?? 0,
      ...(snapshot === undefined ? {} : { snapshot }),
    });
    const database = db;
    const applier = new ParallelApplier({
      target: database,
      mode: options.mode,
      workers: options.workers,
      keyAware: options.keyAware,
      clock,
      retryLimit: options.retryLimit ?? 30,
      startPosition: [...database.positions].map(([domainId, seqNo]) => ({ domainId, serverId: 1, seqNo })),
      ...(options.domainWorkerCap === undefined ? {} : { domainWorkerCap: options.domainWorkerCap }),
      ...(options.maxQueuedBytes === undefined ? {} : { maxQueuedBytes: options.maxQueuedBytes }),
      ...(options.commitOverlap === undefined ? {} : { commitOverlap: options.commitOverlap }),
    });
    if (options.reportLockWaits !== false) {
      database.onLockWait = (waiter, holders) => {
        applier.onLockWait(waiter, holders);
      };
    }
    let phaseOutcome: ApplierOutcome | undefined;
    scheduler.spawn('applier', async () => {
      phaseOutcome = await applier.run(history);
    });
    const crashNow = crashAt >= 0;
    if (crashNow) {
      const stepsBeforeCrash = crashAt;
      scheduler.spawn('crash', async (ctx) => {
        for (let i = 0; i < stepsBeforeCrash; i++) await ctx.step('before crash');
        statuses.push(applier.status());
        snapshot = database.snapshot();
        await applier.stop({ timeoutMs: 0 });
      });
      crashAt = -1;
    }
    const result = await scheduler.run();
    steps += result.trace.length;
    if (result.stalled.length > 0) problems.push(`phase ${phase}: stalled tasks ${result.stalled.join(', ')}`);
    for (const o of result.outcomes) if (o.status === 'rejected') problems.push(`phase ${phase}: task ${o.name} rejected: ${String(o.error)}`);
    statuses.push(applier.status());
    problems.push(...database.violations);
    injected.timeouts += database.counters.injectedTimeouts;
    injected.kills += database.counters.injectedKills;
    if (database.counters.timeouts > 0) problems.push(`phase ${phase}: ${database.counters.timeouts} lock wait(s) ended by timeout, not by a kill`);
    if (crashNow) {
      crashed = true;
      continue;
    }
    outcome = phaseOutcome;
    break;
  }
  if (outcome?.state !== 'caught-up') problems.push(`outcome ${outcome?.state ?? 'none'}: ${String(outcome?.error)}`);
  if (db !== undefined) {
    const expected = serialReplay(history);
    const actual = new Map([...db.rows].filter(([k]) => !k.startsWith('schema:') || expected.has(k)));
    for (const [key, value] of expected) if (actual.get(key) !== value) problems.push(`row ${key}: expected ${value} got ${actual.get(key) ?? '(none)'}`);
    for (const key of actual.keys()) if (!expected.has(key)) problems.push(`unexpected row ${key}`);
    const primary = history.map((t) => formatGtid(t.gtid));
    for (const domainId of new Set(history.map((t) => t.gtid.domainId))) {
      const want = domainOrder(primary, domainId).join(' ');
      const got = domainOrder(db.commitLog, domainId).join(' ');
      if (want !== got) problems.push(`domain ${domainId} commit order ${got} != primary ${want}`);
    }
    if (db.openTransactions !== 0) problems.push(`${db.openTransactions} transactions left open`);
    if (db.heldLocks !== 0) problems.push(`${db.heldLocks} locks left held`);
  }
  return { problems, outcome, status: statuses, crashed, steps, injected };
}
