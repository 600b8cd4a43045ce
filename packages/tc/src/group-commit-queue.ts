import { invariant, systemClock, type Clock, type TimerHandle } from '@lockstep/base';
import type { CommitOrderTicket } from './commit-order.js';
import { CommitLogError } from './errors/commit-log-error.js';
import { CommitWaitTimeoutError } from './errors/commit-wait-timeout-error.js';
import { CoordinatorUnavailableError } from './errors/coordinator-unavailable-error.js';
import { PriorCommitFailedError } from './errors/prior-commit-failed-error.js';
import { CommitQueueFullError } from './errors/queue-full-error.js';
import { LatencyWindow } from './internal/latency-window.js';
import type { CoordinatorPosition } from './participant.js';

/**
 * Group commit: many commits, one log write and one fsync.
 *
 * Invariants:
 * - Entries run `beforeFlush`, are flushed, and run `runOrdered` in queue order; the
 *   queue order is the order `flushGroup` receives them in, which is the log order.
 * - At most one flush runs at a time, and the next group is taken only after the previous
 *   group's ordered phase has finished (the hand-over).
 * - An entry's promise resolves only after its group's flush completed (committed) or
 *   failed; it never rejects — outcomes are values.
 * - After a failed flush the queue is broken: every queued and later entry fails, because
 *   what reached the disk is unknown until the owner recovers.
 */
export interface GroupCommitHooks<P> {
  /** Ordered, before the flush: e.g. assign GTIDs, call prepareOrdered. Cannot fail. */
  beforeFlush?(group: readonly P[]): void;
  /** One write and one fsync for the whole group; returns each entry's position. */
  flushGroup?(group: readonly P[]): Promise<readonly CoordinatorPosition[]>;
  /**
   * The pipelined alternative to `flushGroup`: write the group (no sync) and return its
   * positions and the sync that makes it durable. The queue writes the next group while
   * this group's sync is in flight (at most two groups in flight), and still runs the
   * ordered phases strictly group after group.
   */
  writeGroup?(group: readonly P[]): Promise<WrittenGroup>;
  /** Ordered phase of one entry, in queue order, after the flush. Cannot fail. */
  runOrdered(payload: P, position: CoordinatorPosition): void;
}

export interface WrittenGroup {
  readonly positions: readonly CoordinatorPosition[];
  /** Makes this group (and everything written before it) durable. */
  readonly sync: () => Promise<void>;
}

export interface GroupCommitOptions {
  /** Most entries in one group (default 1024). */
  readonly maxGroupSize?: number;
  /** Most entries queued or parked at once (default 65 536); more fail with CommitQueueFullError. */
  readonly maxQueuedCommits?: number;
  /** Before flushing, wait for this many queued entries ... */
  readonly commitWaitCount?: number;
  /** ... but no longer than this (µs). 0 disables the wait (default). */
  readonly commitWaitUs?: number;
  /** Bound on a parked ticket's wait for its predecessor (ms); default: none (killable instead). */
  readonly priorCommitWaitTimeoutMs?: number;
  readonly clock?: Clock;
}

export type GroupOutcome = { readonly ok: true; readonly position: CoordinatorPosition } | { readonly ok: false; readonly error: unknown };

export interface GroupCommitStats {
  readonly commits: number;
  readonly failedCommits: number;
  readonly groups: number;
  readonly averageGroupSize: number;
  readonly largestGroup: number;
  readonly flushes: number;
  readonly flushLatencyP50Ms: number;
  readonly flushLatencyP99Ms: number;
  readonly queued: number;
  readonly parked: number;
}

interface QueuedEntry<P> {
  readonly payload: P;
  readonly ticket: CommitOrderTicket | undefined;
  readonly settle: (outcome: GroupOutcome) => void;
}

export class GroupCommitQueue<P> {
  readonly #hooks: GroupCommitHooks<P>;
  readonly #clock: Clock;
  readonly #maxGroupSize: number;
  readonly #maxQueued: number;
  readonly #waitCount: number;
  readonly #waitUs: number;
  readonly #priorWaitTimeoutMs: number | undefined;
  #queue: QueuedEntry<P>[] = [];
  #toQueue: QueuedEntry<P>[] = [];
  #enqueueing = false;
  #parked = 0;
  #flushing = false;
  #broken: unknown;
  #wakeLingeringLeader: (() => void) | undefined;
  #idleWaiters: (() => void)[] = [];
  #wakePipeline: (() => void) | undefined;
  #groupsTaken = 0;
  #groupsDone = 0;
  #groupWaiters: { readonly target: number; readonly resolve: () => void }[] = [];
  readonly #latency = new LatencyWindow();
  #commits = 0;
  #failedCommits = 0;
  #groups = 0;
  #groupedEntries = 0;
  #largestGroup = 0;

  constructor(hooks: GroupCommitHooks<P>, options: GroupCommitOptions = {}) {
    this.#hooks = hooks;
    this.#clock = options.clock ?? systemClock;
    this.#maxGroupSize = options.maxGroupSize ?? 1024;
    this.#maxQueued = options.maxQueuedCommits ?? 65_536;
    this.#waitCount = options.commitWaitCount ?? 0;
    this.#waitUs = options.commitWaitUs ?? 0;
    this.#priorWaitTimeoutMs = options.priorCommitWaitTimeoutMs;
    invariant(this.#maxGroupSize >= 1, 'maxGroupSize must be at least 1');
    invariant((hooks.flushGroup === undefined) !== (hooks.writeGroup === undefined), 'give exactly one of flushGroup and writeGroup');
  }

  /**
   * Queues `payload` for the next group (after its ticket's predecessor, if any) and
   * resolves with its outcome once its group is flushed and ordered-committed.
   */
  submit(payload: P, ticket?: CommitOrderTicket): Promise<GroupOutcome> {
    return new Promise<GroupOutcome>((resolve) => {
      if (this.#broken !== undefined) {
        this.#refuse(resolve, new CoordinatorUnavailableError('an earlier log flush failed', this.#broken));
        return;
      }
      if (this.#queue.length + this.#parked >= this.#maxQueued) {
        this.#refuse(resolve, new CommitQueueFullError(this.#maxQueued));
        return;
      }
      const entry: QueuedEntry<P> = { payload, ticket, settle: resolve };
      if (ticket === undefined || ticket.mayQueue) {
        if (ticket?.state === 'failed') {
          this.#refuse(resolve, new PriorCommitFailedError(`${ticket.label} already failed`, ticket.failure));
          return;
        }
        this.#enqueue(entry);
        return;
      }
      if (ticket.state === 'failed') {
        this.#refuse(resolve, new PriorCommitFailedError(`predecessor of ${ticket.label} failed`, ticket.failure));
        return;
      }
      this.#park(entry, ticket);
    });
  }

  /** Resolves when nothing is queued and no flush runs (for orderly shutdown). */
  whenIdle(): Promise<void> {
    if (!this.#flushing && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Resolves when every group taken from the queue so far has finished (committed or
   * failed). A checkpoint that switched log files uses it: every group that wrote to the
   * old file was taken before the switch, so afterwards all of them have run their
   * ordered phase and no sync on the old file is pending.
   */
  waitForTakenGroups(): Promise<void> {
    const target = this.#groupsTaken;
    if (this.#groupsDone >= target) return Promise.resolve();
    return new Promise((resolve) => this.#groupWaiters.push({ target, resolve }));
  }

  /** The error that broke the queue, if a flush failed. */
  get brokenBy(): unknown {
    return this.#broken;
  }

  stats(): GroupCommitStats {
    return {
      commits: this.#commits,
      failedCommits: this.#failedCommits,
      groups: this.#groups,
      averageGroupSize: this.#groups === 0 ? 0 : this.#groupedEntries / this.#groups,
      largestGroup: this.#largestGroup,
      flushes: this.#groups,
      flushLatencyP50Ms: this.#latency.quantile(0.5),
      flushLatencyP99Ms: this.#latency.quantile(0.99),
      queued: this.#queue.length,
      parked: this.#parked,
    };
  }

  #refuse(resolve: (outcome: GroupOutcome) => void, error: unknown): void {
    this.#failedCommits += 1;
    resolve({ ok: false, error });
  }

  #park(entry: QueuedEntry<P>, ticket: CommitOrderTicket): void {
    let timer: TimerHandle | undefined;
    this.#parked += 1;
    const done = (): void => {
      this.#parked -= 1;
      timer?.cancel();
    };
    ticket.park({
      sinceMs: this.#clock.now(),
      release: () => {
        done();
        this.#enqueue(entry);
      },
      reject: (error) => {
        done();
        this.#failedCommits += 1;
        entry.settle({ ok: false, error });
      },
    });
    const timeoutMs = this.#priorWaitTimeoutMs;
    if (timeoutMs !== undefined) {
      timer = this.#clock.setTimer(timeoutMs, () => {
        const parked = ticket.unpark();
        if (parked !== undefined) parked.reject(new CommitWaitTimeoutError(timeoutMs));
      });
    }
  }

  /**
   * Queues an entry and, in the same synchronous step, every parked successor it frees
   * (a freed successor's release re-enters here; the outer call drains them iteratively,
   * in ticket order, so a long chain cannot overflow the stack).
   */
  #enqueue(entry: QueuedEntry<P>): void {
    this.#toQueue.push(entry);
    if (this.#enqueueing) return;
    this.#enqueueing = true;
    try {
      for (let i = 0; i < this.#toQueue.length; i++) {
        const next = this.#toQueue[i]!;
        this.#queue.push(next);
        for (const parked of next.ticket?.markQueued() ?? []) parked.release();
      }
    } finally {
      this.#toQueue = [];
      this.#enqueueing = false;
    }
    this.#wakePipeline?.();
    if (this.#wakeLingeringLeader !== undefined && this.#queue.length >= this.#waitCount) {
      const wake = this.#wakeLingeringLeader;
      this.#wakeLingeringLeader = undefined;
      wake();
    }
    if (!this.#flushing) {
      this.#flushing = true;
      void this.#runLeader();
    }
  }

  async #runLeader(): Promise<void> {
    try {
      // The emptiness check that ends the loop and the reset of #flushing (in finally) run
      // in one synchronous section: a commit queued after the check finds #flushing false
      // and starts a new leader, so no commit can be left queued with no leader.
      do {
        const hooks = this.#hooks;
        if (hooks.writeGroup !== undefined) await this.#runPipelined((group) => hooks.writeGroup!(group));
        else await this.#runSerial((group) => hooks.flushGroup!(group));
      } while (this.#queue.length > 0 && this.#broken === undefined);
      if (this.#broken !== undefined) this.#failAll(this.#queue.splice(0), this.#broken);
    } finally {
      this.#flushing = false;
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  async #runSerial(flushGroup: (group: readonly P[]) => Promise<readonly CoordinatorPosition[]>): Promise<void> {
    while (this.#queue.length > 0 && this.#broken === undefined) {
      await this.#lingerForGroup();
      const group = this.#takeGroup();
      if (group.length === 0) continue;
      await (async () => {
        const payloads = group.map((e) => e.payload);
        this.#hooks.beforeFlush?.(payloads);
        const startedMs = this.#clock.now();
        let positions: readonly CoordinatorPosition[];
        try {
          positions = await flushGroup(payloads);
        } catch (error) {
          this.#breakWith(group, error);
          return;
        }
        this.#finishGroup(group, positions, startedMs);
      })();
    }
  }

  /**
   * Two groups in flight: group N+1 is written while group N's sync runs. Group N+1's
   * ordered phase runs only after its own sync and after group N's ordered phase; if any
   * earlier sync failed, it fails too (its bytes are in the log, but nothing was
   * acknowledged, and recovery decides from the log as for any crash).
   */
  async #runPipelined(writeGroup: (group: readonly P[]) => Promise<WrittenGroup>): Promise<void> {
    let previousStage: Promise<void> = Promise.resolve();
    let lastStageDone = true;
    for (;;) {
      while (this.#queue.length > 0 && this.#broken === undefined) {
        await this.#lingerForGroup();
        const group = this.#takeGroup();
        if (group.length === 0) continue;
        const payloads = group.map((e) => e.payload);
        this.#hooks.beforeFlush?.(payloads);
        const startedMs = this.#clock.now();
        let written: WrittenGroup;
        try {
          written = await writeGroup(payloads);
        } catch (error) {
          await previousStage;
          this.#breakWith(group, error);
          break;
        }
        const synced = written.sync();
        const before = previousStage;
        const stage = (async () => {
          let syncError: unknown;
          try {
            await synced;
          } catch (error) {
            syncError = error ?? new Error('sync failed');
          }
          await before;
          if (syncError !== undefined) this.#breakWith(group, syncError);
          else if (this.#broken !== undefined) this.#breakWith(group, this.#broken);
          else this.#finishGroup(group, written.positions, startedMs);
        })();
        previousStage = stage;
        lastStageDone = false;
        void stage.then(() => {
          if (previousStage === stage) lastStageDone = true;
        });
        // Bound the pipeline: write the next group only once the previous one is done.
        await before;
      }
      if (this.#broken !== undefined || lastStageDone) {
        await previousStage;
        return;
      }
      // Nothing queued, a group still syncing: wake for whichever comes first, a new
      // commit (written at once, beside the running sync) or the end of that group.
      await Promise.race([
        previousStage,
        new Promise<void>((resolve) => {
          this.#wakePipeline = resolve;
        }),
      ]);
      this.#wakePipeline = undefined;
    }
  }

  /** Takes the next group, failing entries whose chain already failed. */
  #takeGroup(): QueuedEntry<P>[] {
    const group: QueuedEntry<P>[] = [];
    for (const entry of this.#queue.splice(0, this.#maxGroupSize)) {
      const ticket = entry.ticket;
      if (ticket?.state === 'failed') this.#failAll([entry], ticket.failure);
      else if (ticket?.predecessor?.state === 'failed') this.#failAll([entry], new PriorCommitFailedError(`${ticket.predecessor.label} failed`, ticket.predecessor.failure));
      else group.push(entry);
    }
    if (group.length > 0) this.#groupsTaken += 1;
    return group;
  }

  /** Counts a taken group as finished and wakes the checkpoints waiting for it. */
  #groupDone(): void {
    this.#groupsDone += 1;
    if (this.#groupWaiters.length === 0) return;
    const still: { readonly target: number; readonly resolve: () => void }[] = [];
    for (const waiter of this.#groupWaiters) {
      if (this.#groupsDone >= waiter.target) waiter.resolve();
      else still.push(waiter);
    }
    this.#groupWaiters = still;
  }

  #breakWith(group: readonly QueuedEntry<P>[], error: unknown): void {
    this.#groupDone();
    this.#broken ??= error;
    this.#failAll(group, error instanceof CommitLogError ? error : new CommitLogError(error instanceof Error ? error.message : String(error), error));
  }

  async #lingerForGroup(): Promise<void> {
    if (this.#waitUs <= 0 || this.#queue.length >= this.#waitCount) return;
    await new Promise<void>((resolve) => {
      const timer = this.#clock.setTimer(this.#waitUs / 1000, () => {
        this.#wakeLingeringLeader = undefined;
        resolve();
      });
      this.#wakeLingeringLeader = () => {
        timer.cancel();
        resolve();
      };
    });
  }

  /** The ordered phase of a durable group, in queue order. */
  #finishGroup(group: readonly QueuedEntry<P>[], positions: readonly CoordinatorPosition[], startedMs: number): void {
    invariant(positions.length === group.length, () => `the log returned ${positions.length} positions for ${group.length} entries`);
    this.#groupDone();
    this.#latency.add(this.#clock.now() - startedMs);
    this.#groups += 1;
    this.#groupedEntries += group.length;
    this.#largestGroup = Math.max(this.#largestGroup, group.length);
    for (let i = 0; i < group.length; i++) {
      const entry = group[i]!;
      const position = positions[i]!;
      this.#hooks.runOrdered(entry.payload, position);
      entry.ticket?.markCommitted();
      this.#commits += 1;
      entry.settle({ ok: true, position });
    }
  }

  #failAll(entries: readonly QueuedEntry<P>[], error: unknown): void {
    for (const entry of entries) {
      entry.ticket?.markFailed(error);
      this.#failedCommits += 1;
      entry.settle({ ok: false, error });
    }
  }
}
