import type { Clock } from '@lockstep/base';
import { PriorCommitFailedError } from '@lockstep/tc';
import { ApplierStoppedError } from '../errors/applier-stopped-error.js';
import { ReplicaApplyError } from '../errors/replica-apply-error.js';
import { RetriesExhaustedError } from '../errors/retries-exhausted-error.js';
import { TransactionKilledError } from '../errors/transaction-killed-error.js';
import { isTemporaryApplyError } from '../temporary-error.js';
import type { ApplierCounters, ApplyTarget, WorkerState, WorkerStatus } from '../types.js';
import { Attempt, type ScheduledTransaction } from './scheduled-transaction.js';
import { Signal } from './signal.js';
import { WorkerQueue } from './worker-queue.js';

/** What a worker needs from the applier that owns it. */
export interface WorkerHost<E> {
  readonly target: ApplyTarget<E>;
  readonly clock: Clock;
  readonly retryLimit: number;
  readonly counters: ApplierCounters;
  /** Set by a forced stop: everything not committed gives up. */
  readonly aborted: ApplierStoppedError | undefined;
  nextAttemptId(): number;
  committed(s: ScheduledTransaction<E>): void;
  /** A transaction failed for good on its own account: the domain stops just before it. */
  failDomain(s: ScheduledTransaction<E>, error: Error): void;
  /** A transaction gave up because of an earlier failure or a stop (not a new error). */
  gaveUp(s: ScheduledTransaction<E>): void;
}

/**
 * One worker task: takes transactions from its queue in order and runs each to commit,
 * retrying after temporary errors.
 *
 * Per transaction: wait for its dependencies (each points to an earlier transaction) →
 * begin → apply every event → commit with its ticket. On failure: roll back; a temporary
 * error (or our kill) waits until the previous transaction of the domain has committed,
 * then retries, at most `retryLimit` times; any other error stops the domain.
 */
export class Worker<E> {
  readonly id: number;
  readonly queue: WorkerQueue<E>;
  readonly #host: WorkerHost<E>;
  #state: WorkerState = 'Waiting for work from SQL thread';
  #current: ScheduledTransaction<E> | undefined;
  #sinceMs: number;

  readonly #commitOverlap: number;

  constructor(id: number, host: WorkerHost<E>, maxQueuedBytes: number, maxQueuedTransactions: number, commitOverlap = 0) {
    this.id = id;
    this.#commitOverlap = commitOverlap;
    this.#host = host;
    this.queue = new WorkerQueue<E>(maxQueuedBytes, maxQueuedTransactions);
    this.#sinceMs = host.clock.now();
  }

  /** Runs until the queue is closed and drained. Never rejects. */
  async run(): Promise<void> {
    // Transactions of this worker not finished yet: the one applying, plus at most
    // `commitOverlap` that wait in the commit queue (or retry) on their own.
    const running = new Set<Promise<void>>();
    for (;;) {
      if (running.size === 0) this.#set('Waiting for work from SQL thread', undefined);
      const s = await this.queue.take();
      if (s === undefined) break;
      const reachedCommit = new Signal<undefined>();
      const execution: Promise<void> = this.#execute(s, reachedCommit).finally(() => {
        this.queue.release(s);
        reachedCommit.resolve(undefined);
        running.delete(execution);
      });
      running.add(execution);
      if (this.#commitOverlap === 0) {
        await execution;
        continue;
      }
      await reachedCommit.promise;
      while (running.size > this.#commitOverlap) await Promise.race(running);
    }
    await Promise.all(running);
    this.#set('Stopped', undefined);
  }

  status(): WorkerStatus {
    const s = this.#current;
    let state = this.#state;
    if (state === 'Committing' && s?.ticket.state === 'parked') state = 'Waiting for prior transaction to commit';
    return {
      workerId: this.id,
      state,
      gtid: s?.gtidText,
      attempt: s?.current?.attempt ?? 0,
      queuedTransactions: this.queue.length,
      queuedBytes: this.queue.bytes,
      sinceMs: this.#sinceMs,
    };
  }

  #set(state: WorkerState, s: ScheduledTransaction<E> | undefined): void {
    this.#state = state;
    this.#current = s;
    this.#sinceMs = this.#host.clock.now();
  }

  /** Why `s` must not (re)start: a stop, or an earlier transaction of its domain failed. */
  #blocked(s: ScheduledTransaction<E>): Error | undefined {
    if (this.#host.aborted !== undefined) return this.#host.aborted;
    const failure = s.domain.failure;
    if (failure !== undefined && failure.order < s.order) return new PriorCommitFailedError(`an earlier transaction of domain ${s.domain.domainId} failed before ${s.gtidText}`, failure.error);
    return undefined;
  }

  async #waitForDependencies(s: ScheduledTransaction<E>): Promise<boolean> {
    for (const dep of s.commitDeps) {
      this.#set('Waiting for prior transaction to commit', s);
      if (!(await dep.finished.promise)) return false;
    }
    // A conflicting predecessor that has started to commit holds every lock it needs, so
    // from then on this one can only queue behind its locks (a wait the kill rule leaves
    // alone: the waiter is the later one) — it applies its other rows meanwhile.
    for (const dep of s.keyDeps) {
      this.#set('Waiting for conflicting prior transaction to start commit', s);
      await dep.startedCommit.promise;
    }
    for (const dep of s.startCommitDeps) {
      this.#set('Waiting for prior transaction to start commit before starting next transaction', s);
      await dep.startedCommit.promise;
    }
    return true;
  }

  #giveUp(s: ScheduledTransaction<E>, reason: Error): void {
    s.ticket.fail(reason);
    this.#host.gaveUp(s);
  }

  async #execute(s: ScheduledTransaction<E>, reachedCommit: Signal<undefined>): Promise<void> {
    const host = this.#host;
    s.state = 'running';
    if (!(await this.#waitForDependencies(s))) {
      this.#giveUp(s, this.#blocked(s) ?? new PriorCommitFailedError(`a transaction ${s.gtidText} depends on failed`));
      return;
    }
    for (let attempt = 0; ; attempt++) {
      const blocked = this.#blocked(s);
      if (blocked !== undefined) {
        this.#giveUp(s, blocked);
        return;
      }
      const work = new Attempt<E>(host.nextAttemptId(), s, attempt, this.id);
      s.current = work;
      // Started while an earlier transaction of the domain had not committed: any error
      // may be an artefact of running early (a before image not there yet, a duplicate
      // key the predecessor was about to delete), so it is retried as the oldest first.
      const speculative = s.previous !== undefined;
      try {
        this.#set('Applying events', s);
        await host.target.begin(work);
        this.#throwIfKilled(work);
        for (const event of s.transaction.events) {
          await host.target.apply(work, event);
          this.#throwIfKilled(work);
        }
        s.startedCommit.resolve(undefined);
        this.#set('Committing', s);
        this.#throwIfKilled(work);
        const committing = host.target.commit(work, s.ticket);
        reachedCommit.resolve(undefined);
        await committing;
        host.committed(s);
        this.#set('Waiting for work from SQL thread', undefined);
        return;
      } catch (error) {
        this.#set('Rolling back', s);
        try {
          await host.target.rollback(work);
        } catch (rollbackError) {
          // A failed rollback leaves the attempt's effects unknown: never retry over it.
          host.failDomain(s, new ReplicaApplyError(s.gtidText, rollbackError));
          return;
        }
        const blockedNow = this.#blocked(s);
        if (blockedNow !== undefined) {
          this.#giveUp(s, blockedNow);
          return;
        }
        const temporary = work.killed || isTemporaryApplyError(error);
        if (!temporary && !speculative) {
          host.failDomain(s, new ReplicaApplyError(s.gtidText, error));
          return;
        }
        if (temporary) host.counters.temporaryErrors += 1;
        else host.counters.speculativeErrors += 1;
        if (attempt >= host.retryLimit) {
          host.failDomain(s, new RetriesExhaustedError(s.gtidText, attempt + 1, error));
          return;
        }
        host.counters.retried += 1;
        // Retry only once everything before it has committed: then it is the oldest
        // transaction of its domain, and any conflict it meets is with a later one, which
        // it kills. This is what bounds retries caused by kills.
        this.#set('Waiting for prior transaction to commit', s);
        const previous = s.previous;
        if (previous !== undefined && !(await previous.finished.promise)) {
          this.#giveUp(s, this.#blocked(s) ?? new PriorCommitFailedError(`the transaction before ${s.gtidText} failed`));
          return;
        }
      }
    }
  }

  #throwIfKilled(work: Attempt<E>): void {
    if (work.killed) throw new TransactionKilledError(work.scheduled.gtidText);
  }
}
