import { LockstepError, type Clock, type Random } from '@lockstep/base';
import { GroupCommitQueue, formatGtid, type CommitOrderTicket, type CoordinatorPosition } from '@lockstep/tc';
import type { ApplyTarget, WorkerTransaction } from '../../src/index.js';

/**
 * A small in-memory database for the applier's tests: committed rows in a Map, a per-key
 * exclusive lock table whose waits report (waiter, holder) to the applier the way the
 * real lock manager will (at the wait, and again when the holder changes), lock-wait
 * timeouts on the injected clock, commits through a tc GroupCommitQueue with the
 * applier's commit-order ticket, and the replica position written in the same commit.
 *
 * Every row write appends the writing transaction's GTID to the row, so the final rows
 * equal a serial replay only if every transaction applied exactly once and in order.
 */
export type SimEvent =
  /** A row event: its key is known to the scheduler. */
  | { readonly kind: 'row'; readonly key: string }
  /** A statement: it writes `keys`, but the scheduler cannot know which. */
  | { readonly kind: 'statement'; readonly keys: readonly string[] }
  | { readonly kind: 'ddl'; readonly table: string };

export function keysOf(event: SimEvent): readonly string[] {
  if (event.kind === 'row') return [event.key];
  if (event.kind === 'statement') return event.keys;
  return [`schema:${event.table}`];
}

export class SimApplyError extends LockstepError {
  readonly temporary: boolean;
  constructor(code: string, message: string, errno: number | undefined, temporary: boolean) {
    super(code, message, errno === undefined ? {} : { errno });
    this.temporary = temporary;
  }
}

type Work = WorkerTransaction<SimEvent>;

interface LockWaiter {
  readonly txn: TxnState;
  readonly key: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  timer: { cancel(): void } | undefined;
}

interface TxnState {
  readonly work: Work;
  readonly writes: Map<string, string>;
  readonly locks: Set<string>;
  pending: LockWaiter | undefined;
}

interface CommitPayload {
  readonly txn: TxnState;
}

export interface MemoryDatabaseOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** A scheduling point (the deterministic scheduler's), awaited inside apply and flush. */
  readonly yieldPoint?: (label: string) => Promise<void>;
  readonly lockWaitTimeoutMs?: number;
  /** Probability that a lock wait times out at once (injected 1205). */
  readonly injectTimeoutP?: number;
  /** Probability that an apply is killed (injected 1927, as by KILL QUERY). */
  readonly injectKillP?: number;
  /** Most yield points a flush waits (default 2). */
  readonly maxFlushYields?: number;
  /** Runs before each event's apply (story tests gate on it). */
  readonly beforeApply?: (work: Work, event: SimEvent) => Promise<void>;
  /** The committed state to start from (after a simulated crash). */
  readonly snapshot?: DatabaseSnapshot;
}

export interface DatabaseSnapshot {
  readonly rows: ReadonlyMap<string, string>;
  readonly positions: ReadonlyMap<number, bigint>;
  readonly commitLog: readonly string[];
}

export class MemoryDatabase implements ApplyTarget<SimEvent> {
  readonly rows: Map<string, string>;
  /** Replica position per domain (written in the same commit as the rows). */
  readonly positions: Map<number, bigint>;
  /** GTIDs in commit order. */
  readonly commitLog: string[];
  readonly violations: string[] = [];
  readonly counters = { lockWaits: 0, timeouts: 0, injectedTimeouts: 0, injectedKills: 0, commits: 0, flushes: 0 };
  onLockWait: ((waiter: Work, holders: readonly Work[]) => void) | undefined;
  yieldPoint: (label: string) => Promise<void>;
  readonly #options: MemoryDatabaseOptions;
  readonly #locks = new Map<string, { holder: TxnState; waiters: LockWaiter[] }>();
  readonly #txns = new Map<number, TxnState>();
  readonly queue: GroupCommitQueue<CommitPayload>;

  constructor(options: MemoryDatabaseOptions) {
    this.#options = options;
    this.rows = new Map(options.snapshot?.rows ?? []);
    this.positions = new Map(options.snapshot?.positions ?? []);
    this.commitLog = [...(options.snapshot?.commitLog ?? [])];
    this.yieldPoint = options.yieldPoint ?? (() => Promise.resolve());
    const maxFlushYields = options.maxFlushYields ?? 2;
    this.queue = new GroupCommitQueue<CommitPayload>(
      {
        flushGroup: async (group): Promise<CoordinatorPosition[]> => {
          this.counters.flushes += 1;
          for (let i = options.random.int(0, maxFlushYields); i > 0; i--) await this.yieldPoint('flush');
          return group.map((_, i) => ({ logNumber: 1, offset: i }));
        },
        runOrdered: (payload) => {
          this.#commitOrdered(payload.txn);
        },
      },
      { clock: options.clock },
    );
  }

  snapshot(): DatabaseSnapshot {
    return { rows: new Map(this.rows), positions: new Map(this.positions), commitLog: [...this.commitLog] };
  }

  /** Transactions begun and not yet committed or rolled back (0 after a clean run). */
  get openTransactions(): number {
    return this.#txns.size;
  }

  get heldLocks(): number {
    return this.#locks.size;
  }

  writeSet(event: SimEvent): readonly string[] | undefined {
    return event.kind === 'row' ? [event.key] : undefined;
  }

  begin(work: Work): Promise<void> {
    if (this.#txns.has(work.id)) this.violations.push(`attempt ${work.id} begun twice`);
    this.#txns.set(work.id, { work, writes: new Map(), locks: new Set(), pending: undefined });
    return Promise.resolve();
  }

  async apply(work: Work, event: SimEvent): Promise<void> {
    await this.yieldPoint(`apply ${formatGtid(work.transaction.gtid)}`);
    await this.#options.beforeApply?.(work, event);
    const txn = this.#txns.get(work.id);
    if (txn === undefined) throw new Error(`apply without begin (attempt ${work.id})`);
    if (work.killed) throw new SimApplyError('KILLED', 'killed', 1927, true);
    if (this.#options.random.bool(this.#options.injectKillP ?? 0)) {
      this.counters.injectedKills += 1;
      throw new SimApplyError('KILLED', 'injected kill', 1927, true);
    }
    const label = formatGtid(work.transaction.gtid);
    for (const key of keysOf(event)) {
      await this.#lock(txn, key);
      const before = txn.writes.get(key) ?? this.rows.get(key) ?? '';
      txn.writes.set(key, `${before}${label};`);
    }
  }

  commit(work: Work, ticket: CommitOrderTicket): Promise<void> {
    const txn = this.#txns.get(work.id);
    if (txn === undefined) return Promise.reject(new Error(`commit without begin (attempt ${work.id})`));
    // The ticket is handed over synchronously (the contract of ApplyTarget.commit).
    if (work.killed) return Promise.reject(new SimApplyError('KILLED', 'killed before commit', 1927, true));
    return this.queue.submit({ txn }, ticket).then((outcome) => {
      if (!outcome.ok) throw outcome.error;
      this.#end(txn);
    });
  }

  rollback(work: Work): Promise<void> {
    const txn = this.#txns.get(work.id);
    if (txn !== undefined) this.#end(txn);
    return Promise.resolve();
  }

  kill(work: Work): void {
    const pending = this.#txns.get(work.id)?.pending;
    if (pending === undefined) return;
    this.#dropWaiter(pending);
    pending.reject(new SimApplyError('KILLED', 'lock wait killed', 1927, true));
  }

  #commitOrdered(txn: TxnState): void {
    const gtid = txn.work.transaction.gtid;
    const position = this.positions.get(gtid.domainId);
    if (position !== undefined && gtid.seqNo <= position) this.violations.push(`${formatGtid(gtid)} committed at position ${position}`);
    for (const [key, value] of txn.writes) this.rows.set(key, value);
    this.positions.set(gtid.domainId, gtid.seqNo);
    this.commitLog.push(formatGtid(gtid));
    this.counters.commits += 1;
  }

  #lock(txn: TxnState, key: string): Promise<void> {
    const lock = this.#locks.get(key);
    if (lock === undefined) {
      this.#locks.set(key, { holder: txn, waiters: [] });
      txn.locks.add(key);
      return Promise.resolve();
    }
    if (lock.holder === txn) return Promise.resolve();
    // A killed attempt never starts a wait: the kill may have landed between two waits.
    if (txn.work.killed) return Promise.reject(new SimApplyError('KILLED', 'killed', 1927, true));
    this.counters.lockWaits += 1;
    return new Promise<void>((resolve, reject) => {
      const waiter: LockWaiter = { txn, key, resolve, reject, timer: undefined };
      lock.waiters.push(waiter);
      txn.pending = waiter;
      const fireTimeout = (injected: boolean): void => {
        waiter.timer = undefined;
        this.#dropWaiter(waiter);
        if (injected) this.counters.injectedTimeouts += 1;
        else this.counters.timeouts += 1;
        reject(new SimApplyError('LOCK_WAIT_TIMEOUT', `lock wait timeout on ${key}`, 1205, true));
      };
      waiter.timer = this.#options.clock.setTimer(this.#options.lockWaitTimeoutMs ?? 50_000, () => {
        fireTimeout(false);
      });
      if (this.#options.random.bool(this.#options.injectTimeoutP ?? 0)) {
        // An injected timeout: fires at a scheduler-chosen moment if still waiting then.
        void this.yieldPoint('injected timeout').then(() => {
          if (txn.pending === waiter) fireTimeout(true);
        });
      }
      // Registered first, reported second: the report may kill the holder at once.
      this.onLockWait?.(txn.work, [lock.holder.work]);
    });
  }

  #dropWaiter(waiter: LockWaiter): void {
    waiter.timer?.cancel();
    waiter.timer = undefined;
    waiter.txn.pending = undefined;
    const lock = this.#locks.get(waiter.key);
    if (lock !== undefined) lock.waiters = lock.waiters.filter((w) => w !== waiter);
  }

  /** Releases every lock (granting the next waiter of each) and forgets the attempt. */
  #end(txn: TxnState): void {
    if (txn.pending !== undefined) {
      const pending = txn.pending;
      this.#dropWaiter(pending);
      pending.reject(new SimApplyError('ROLLED_BACK', 'rolled back while waiting', 1927, true));
    }
    this.#txns.delete(txn.work.id);
    for (const key of txn.locks) {
      const lock = this.#locks.get(key)!;
      const next = lock.waiters.shift();
      if (next === undefined) {
        this.#locks.delete(key);
        continue;
      }
      next.timer?.cancel();
      next.timer = undefined;
      next.txn.pending = undefined;
      lock.holder = next.txn;
      next.txn.locks.add(key);
      next.resolve();
      // The holder of every remaining waiter changed: report again.
      for (const waiter of lock.waiters) this.onLockWait?.(waiter.txn.work, [next.txn.work]);
    }
    txn.locks.clear();
  }
}
