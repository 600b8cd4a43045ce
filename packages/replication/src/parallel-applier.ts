import { invariant, systemClock, type Clock } from '@lockstep/base';
import { CommitOrderChain, formatGtid, type Gtid } from '@lockstep/tc';
import { ApplierConfigError } from './errors/applier-config-error.js';
import { ApplierStoppedError } from './errors/applier-stopped-error.js';
import { planDependencies } from './internal/dependency-planner.js';
import { Attempt, ScheduledTransaction, type DomainState } from './internal/scheduled-transaction.js';
import { Signal } from './internal/signal.js';
import { Worker, type WorkerHost } from './internal/worker.js';
import type {
  ApplierCounters,
  ApplierOutcome,
  ApplierStatus,
  ApplyTarget,
  ParallelApplierOptions,
  ParallelMode,
  ReaderState,
  ReplicatedTransaction,
  WorkerTransaction,
} from './types.js';

const MODES: readonly ParallelMode[] = ['none', 'minimal', 'conservative', 'optimistic', 'aggressive'];

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new ApplierConfigError(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

/**
 * The parallel replica applier: reads transactions, schedules them onto workers by mode
 * and GTID domain, commits them in the primary's order through commit-order tickets, and
 * resolves conflicts by killing the later transaction and retrying it.
 *
 * Invariants:
 * - Within a domain, commits happen in dispatch order (= primary order): each commit
 *   carries a ticket from the domain's chain.
 * - Every wait points to an earlier transaction, so the oldest unfinished transaction
 *   can always run; the only thing that can block it is a lock held by a later
 *   transaction of its domain, which `onLockWait` kills (or one of another domain, which
 *   the lock-wait timeout or deadlock detector ends and the retry absorbs).
 * - Nothing is dispatched after a domain failed or a stop was asked for.
 */
export class ParallelApplier<E> {
  readonly mode: ParallelMode;
  readonly keyAware: boolean;
  readonly #target: ApplyTarget<E>;
  readonly #clock: Clock;
  readonly #retryLimit: number;
  readonly #maxWriteSetKeys: number;
  readonly #domainWorkerCap: number;
  readonly #workers: Worker<E>[];
  readonly #domains = new Map<number, DomainState<E>>();
  readonly #inFlight = new Set<ScheduledTransaction<E>>();
  readonly #startPosition: Map<number, Gtid>;
  readonly #counters: ApplierCounters = {
    applied: 0,
    retried: 0,
    kills: 0,
    lockWaits: 0,
    conflicts: 0,
    temporaryErrors: 0,
    speculativeErrors: 0,
    keyWaits: 0,
    unknownKeys: 0,
    skipped: 0,
  };
  readonly #stopSignal = new Signal<'stop'>();
  #globalLast: ScheduledTransaction<E> | undefined;
  #reader: ReaderState = 'Waiting for master to send event';
  #nextAttemptId = 1;
  #started = false;
  #running = false;
  #stopRequested = false;
  #aborted: ApplierStoppedError | undefined;
  #error: Error | undefined;
  #finished = new Signal<ApplierOutcome>();

  constructor(options: ParallelApplierOptions<E>) {
    this.mode = options.mode ?? 'optimistic';
    if (!MODES.includes(this.mode)) throw new ApplierConfigError(`unknown mode ${this.mode as string}`);
    this.keyAware = options.keyAware ?? true;
    this.#target = options.target;
    this.#clock = options.clock ?? systemClock;
    this.#retryLimit = checkCount('retryLimit', options.retryLimit ?? 10, 0);
    this.#maxWriteSetKeys = checkCount('maxWriteSetKeys', options.maxWriteSetKeys ?? 10_000, 1);
    const workers = this.mode === 'none' ? 1 : checkCount('workers', options.workers ?? 4, 1);
    this.#domainWorkerCap = Math.min(workers, checkCount('domainWorkerCap', options.domainWorkerCap ?? workers, 1));
    const maxBytes = checkCount('maxQueuedBytes', options.maxQueuedBytes ?? 1 << 20, 1);
    const maxTransactions = checkCount('maxQueuedTransactions', options.maxQueuedTransactions ?? 1024, 1);
    this.#startPosition = new Map((options.startPosition ?? []).map((g) => [g.domainId, g]));
    const commitOverlap = this.mode === 'none' ? 0 : checkCount('commitOverlap', options.commitOverlap ?? 0, 0);
    const host = this.#host();
    this.#workers = Array.from({ length: workers }, (_, i) => new Worker<E>(i + 1, host, maxBytes, maxTransactions, commitOverlap));
  }

  /**
   * Applies `source` until it ends (then everything dispatched commits), a domain fails,
   * or `stop` is called. Resolves with the outcome; rejects only for a broken invariant.
   */
  async run(source: AsyncIterable<ReplicatedTransaction<E>> | Iterable<ReplicatedTransaction<E>>): Promise<ApplierOutcome> {
    invariant(!this.#started, 'ParallelApplier.run called twice');
    this.#started = true;
    this.#running = true;
    const workerRuns = this.#workers.map((w) => w.run());
    try {
      await this.#read(source);
    } catch (error) {
      this.#error ??= error instanceof Error ? error : new Error(String(error));
    } finally {
      this.#reader = 'Stopped';
      for (const w of this.#workers) w.queue.close();
    }
    await Promise.all(workerRuns);
    this.#running = false;
    const outcome: ApplierOutcome = {
      state: this.#error !== undefined ? 'failed' : this.#stopRequested ? 'stopped' : 'caught-up',
      position: this.#positions(),
      error: this.#error,
    };
    this.#finished.resolve(outcome);
    return outcome;
  }

  /**
   * Stops reading; what was dispatched finishes (commits in order) for up to `timeoutMs`
   * (default 30 000); then everything not yet committed is killed and rolled back. Each
   * domain ends at a consistent cut either way: a prefix of its transactions committed.
   * Resolves with `run`'s outcome (immediately when `run` was never called).
   */
  async stop(options: { readonly timeoutMs?: number } = {}): Promise<ApplierOutcome> {
    this.#stopRequested = true;
    this.#stopSignal.resolve('stop');
    if (!this.#started) return { state: 'stopped', position: this.#positions(), error: this.#error };
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (timeoutMs <= 0) this.#abort('stopped by force');
    const timer = timeoutMs > 0 ? this.#clock.setTimer(timeoutMs, () => { this.#abort(`stop did not finish within ${timeoutMs} ms`); }) : undefined;
    try {
      return await this.#finished.promise;
    } finally {
      timer?.cancel();
    }
  }

  /**
   * The lock manager's report: `waiter` waits for locks that `holders` hold (called again
   * whenever the holder set of a still-waiting request changes). A holder later in the
   * same domain's commit order than the waiter is killed: it could otherwise wait for the
   * waiter's commit while the waiter waits for its lock. Reports naming attempts this
   * applier did not start, or stale attempts, are ignored.
   */
  onLockWait(waiter: WorkerTransaction<E>, holders: readonly WorkerTransaction<E>[]): void {
    this.#counters.lockWaits += 1;
    if (!(waiter instanceof Attempt) || waiter.killed) return;
    const ws = waiter.scheduled as ScheduledTransaction<E>;
    if (ws.current !== waiter) return;
    for (const holder of holders) {
      if (!(holder instanceof Attempt)) continue;
      const hs = holder.scheduled as ScheduledTransaction<E>;
      if (hs.domain !== ws.domain || hs.order <= ws.order || hs.current !== holder) continue;
      this.#counters.conflicts += 1;
      this.#kill(hs);
    }
  }

  status(): ApplierStatus {
    let oldestMs: number | undefined;
    for (const s of this.#inFlight) {
      if (oldestMs === undefined || s.transaction.timestampMs < oldestMs) oldestMs = s.transaction.timestampMs;
    }
    return {
      mode: this.mode,
      keyAware: this.keyAware,
      running: this.#running,
      reader: this.#reader,
      workers: this.#workers.map((w) => w.status()),
      counters: { ...this.#counters },
      lagMs: oldestMs === undefined ? 0 : Math.max(0, this.#clock.wallNow() - oldestMs),
      position: this.#positions(),
      error: this.#error,
    };
  }

  async #read(source: AsyncIterable<ReplicatedTransaction<E>> | Iterable<ReplicatedTransaction<E>>): Promise<void> {
    const iterator: AsyncIterator<ReplicatedTransaction<E>> | Iterator<ReplicatedTransaction<E>> =
      Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
    for (;;) {
      if (this.#stopRequested || this.#error !== undefined) {
        void Promise.resolve(iterator.return?.()).catch(() => undefined);
        return;
      }
      this.#reader = 'Waiting for master to send event';
      const next = await Promise.race([iterator.next(), this.#stopSignal.promise]);
      if (next === 'stop') continue;
      if (next.done === true) return;
      const transaction = next.value;
      const start = this.#startPosition.get(transaction.gtid.domainId);
      if (start !== undefined && transaction.gtid.seqNo <= start.seqNo) {
        this.#counters.skipped += 1;
        continue;
      }
      await this.#dispatch(transaction);
    }
  }

  async #dispatch(transaction: ReplicatedTransaction<E>): Promise<void> {
    const domain = this.#domain(transaction.gtid.domainId);
    const worker = this.#workers[domain.workerIds[domain.nextWorker]! - 1]!;
    domain.nextWorker = (domain.nextWorker + 1) % domain.workerIds.length;
    if (!worker.queue.hasRoom(transaction.byteSize)) {
      this.#reader = 'Waiting for room in worker thread event queue';
      await Promise.race([worker.queue.waitForRoom(transaction.byteSize), this.#stopSignal.promise]);
      if (this.#stopRequested || this.#error !== undefined) return;
    }
    const gtidText = formatGtid(transaction.gtid);
    const s = new ScheduledTransaction<E>(transaction, domain, ++domain.dispatched, domain.chain.issue(gtidText), gtidText);
    const previous = domain.last;
    if (previous !== undefined && previous.state !== 'committed') {
      s.previous = previous;
      previous.next = s;
    }
    planDependencies(s, this.#globalLast, { mode: this.mode, keyAware: this.keyAware, maxWriteSetKeys: this.#maxWriteSetKeys, target: this.#target, counters: this.#counters });
    domain.last = s;
    this.#globalLast = s;
    this.#inFlight.add(s);
    worker.queue.push(s);
  }

  #domain(domainId: number): DomainState<E> {
    let domain = this.#domains.get(domainId);
    if (domain === undefined) {
      const index = this.#domains.size;
      const n = this.#workers.length;
      const workerIds = Array.from({ length: this.#domainWorkerCap }, (_, i) => ((index * this.#domainWorkerCap + i) % n) + 1);
      domain = {
        domainId,
        index,
        chain: new CommitOrderChain(`domain ${domainId}`),
        dispatched: 0,
        last: undefined,
        failure: undefined,
        keyOwners: new Map(),
        batchCommitId: undefined,
        batch: [],
        previousBatch: [],
        workerIds,
        nextWorker: 0,
        position: this.#startPosition.get(domainId),
      };
      this.#domains.set(domainId, domain);
    }
    return domain;
  }

  #kill(s: ScheduledTransaction<E>): void {
    const work = s.current;
    if (work === undefined || work.killed || s.done) return;
    // Once queued for group commit its wake-up already ran: it commits without our help.
    if (s.ticket.state === 'queued' || s.ticket.state === 'committed') return;
    work.markKilled();
    this.#counters.kills += 1;
    s.ticket.kill(`killed so that an earlier transaction can proceed`);
    this.#target.kill(work);
  }

  #abort(reason: string): void {
    this.#aborted ??= new ApplierStoppedError(reason);
    this.#stopRequested = true;
    this.#stopSignal.resolve('stop');
    for (const s of [...this.#inFlight]) this.#kill(s);
  }

  #positions(): Gtid[] {
    const out = new Map(this.#startPosition);
    for (const d of this.#domains.values()) if (d.position !== undefined) out.set(d.domainId, d.position);
    return [...out.values()].sort((a, b) => a.domainId - b.domainId);
  }

  #finish(s: ScheduledTransaction<E>, committed: boolean): void {
    s.state = committed ? 'committed' : 'failed';
    s.current = undefined;
    this.#inFlight.delete(s);
    if (s.next !== undefined && committed) s.next.previous = undefined;
    const domain = s.domain;
    if (domain.last === s && committed) domain.last = undefined;
    if (this.#globalLast === s && committed) this.#globalLast = undefined;
    for (const key of s.keys ?? []) if (domain.keyOwners.get(key) === s) domain.keyOwners.delete(key);
    s.startedCommit.resolve(undefined);
    s.finished.resolve(committed);
  }

  #host(): WorkerHost<E> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the host is a view of this applier's state
    const applier = this;
    return {
      target: this.#target,
      clock: this.#clock,
      retryLimit: this.#retryLimit,
      counters: this.#counters,
      get aborted() {
        return applier.#aborted;
      },
      nextAttemptId: () => this.#nextAttemptId++,
      committed: (s) => {
        invariant(s.ticket.state === 'committed', () => `${s.gtidText} reported committed with ticket ${s.ticket.state}`);
        this.#counters.applied += 1;
        s.domain.position = s.transaction.gtid;
        this.#finish(s, true);
      },
      failDomain: (s, error) => {
        const domain = s.domain;
        if (domain.failure === undefined || s.order < domain.failure.order) domain.failure = { order: s.order, error };
        this.#error ??= error;
        this.#stopSignal.resolve('stop');
        s.ticket.fail(error);
        this.#finish(s, false);
        // Later transactions of the domain cannot commit now: end their waits promptly.
        for (const other of [...this.#inFlight]) if (other.domain === domain && other.order > s.order) this.#kill(other);
      },
      gaveUp: (s) => {
        this.#finish(s, false);
      },
    };
  }
}
