import type { Clock } from '@lockstep/base';
import type { CommitOrderTicket, Gtid } from '@lockstep/tc';

/**
 * The public types of the applier: what it reads (replicated transactions), what it
 * drives (an apply target), and how it is configured.
 */

/** The GTID event flags MariaDB's parallel replication reads (FL_STANDALONE, FL_TRANSACTIONAL, ...). */
export interface ReplicatedGtidFlags {
  /** The group is the GTID event plus one event, with no XID/COMMIT (e.g. DDL). */
  readonly standalone: boolean;
  /** Every change is transactional (can be rolled back and retried). */
  readonly transactional: boolean;
  /** The primary allowed this transaction to run in parallel with its neighbours. */
  readonly allowParallel: boolean;
  /** The transaction waited for a row lock on the primary (a likely conflict). */
  readonly waited: boolean;
  /** DDL: never speculated; a batch boundary before and after. */
  readonly ddl: boolean;
}

/** One transaction of the primary's binlog: the GTID event's fields and the events up to its XID/COMMIT. */
export interface ReplicatedTransaction<E> {
  readonly gtid: Gtid;
  /** The primary's group-commit id; transactions that share one committed together. */
  readonly commitId: bigint | undefined;
  readonly flags: ReplicatedGtidFlags;
  readonly events: readonly E[];
  /** The primary's commit timestamp (ms since the epoch), for lag. */
  readonly timestampMs: number;
  /** Bytes the transaction occupies in the relay log (bounds worker queues). */
  readonly byteSize: number;
}

/**
 * One attempt at applying one transaction. A retry is a new `WorkerTransaction` (new
 * `id`, `attempt` + 1) for the same `transaction`, so a target never confuses a killed
 * attempt with the next one.
 */
export interface WorkerTransaction<E> {
  /** Unique per attempt within one applier. */
  readonly id: number;
  readonly transaction: ReplicatedTransaction<E>;
  /** 0 for the first attempt. */
  readonly attempt: number;
  readonly workerId: number;
  /** Set when the applier killed this attempt; the target must fail anything it still does for it. */
  readonly killed: boolean;
}

/**
 * What the applier drives; declared here, implemented by the server's SQL layer (and by
 * the in-memory database of this package's tests).
 *
 * Errors: a rejection whose error has `temporary: true`, or a MySQL errno 1205 (lock wait
 * timeout), 1213 (deadlock) or 1927 (killed), is temporary: the applier rolls back and
 * retries. Any other error stops the domain.
 */
export interface ApplyTarget<E> {
  /**
   * The keys a row event writes (primary and unique keys of its before and after images,
   * e.g. `db.table:pk-hex`), or `undefined` when unknown (a statement). Must be pure and
   * fast: the scheduler calls it once per event before dispatching. Optional: without it
   * every transaction is unknown and scheduling is pure speculation.
   */
  writeSet?(event: E): readonly string[] | undefined;
  /** Starts a transaction for this attempt. */
  begin(work: WorkerTransaction<E>): Promise<void>;
  /** Applies one event; may wait for row locks, reporting each wait through `ParallelApplier.onLockWait`. */
  apply(work: WorkerTransaction<E>, event: E): Promise<void>;
  /**
   * Writes the replica position (`work.transaction.gtid`) inside the transaction, then
   * commits through the coordinator with `ticket`, so the commit happens after every
   * earlier transaction of the domain. Resolves once committed (visible).
   *
   * REQUIRES: hand the ticket to the coordinator before the first `await`, or re-check
   * `work.killed` immediately before doing so and reject when set — a kill that lands
   * between the check and the hand-over would otherwise be missed until a lock-wait
   * timeout.
   */
  commit(work: WorkerTransaction<E>, ticket: CommitOrderTicket): Promise<void>;
  /** Undoes the attempt and releases its locks. Called after any failure, including a failed commit: must be idempotent. */
  rollback(work: WorkerTransaction<E>): Promise<void>;
  /**
   * Rejects the attempt's pending lock wait now (with a temporary error). Synchronous,
   * idempotent. A lock wait the attempt starts after this (the kill can land between two
   * waits) must fail at once: check `work.killed` before waiting.
   */
  kill(work: WorkerTransaction<E>): void;
}

/** MariaDB's slave_parallel_mode values. */
export type ParallelMode = 'none' | 'minimal' | 'conservative' | 'optimistic' | 'aggressive';

export interface ParallelApplierOptions<E> {
  readonly target: ApplyTarget<E>;
  /** Default `optimistic`. */
  readonly mode?: ParallelMode;
  /** Worker tasks (slave_parallel_threads); default 4; `none` always uses 1. */
  readonly workers?: number;
  /** Most workers one domain may use (slave_domain_parallel_threads); default all. */
  readonly domainWorkerCap?: number;
  /** Bytes queued per worker before the reader waits (slave_parallel_max_queued); default 1 MiB. */
  readonly maxQueuedBytes?: number;
  /** Transactions queued per worker before the reader waits; default 1024. */
  readonly maxQueuedTransactions?: number;
  /** Retries of one transaction after temporary errors (slave_transaction_retries); default 10. */
  readonly retryLimit?: number;
  /** Wait for the specific earlier transaction a write set conflicts with; default true. */
  readonly keyAware?: boolean;
  /** A transaction with more keys than this counts as unknown (speculated); default 10 000. */
  readonly maxWriteSetKeys?: number;
  /**
   * Transactions per worker that may wait in the commit queue while the worker starts its
   * next one (default 0: a worker holds its transaction until it commits, as MariaDB's
   * do). Raising it lets a commit group hold more than about half the workers.
   */
  readonly commitOverlap?: number;
  /** Per domain, the last GTID already applied: transactions at or before it are skipped. */
  readonly startPosition?: readonly Gtid[];
  readonly clock?: Clock;
}

/** MariaDB's processlist wording, plus two states of our own for key-aware waits and retries. */
export type WorkerState =
  | 'Waiting for work from SQL thread'
  | 'Waiting for prior transaction to start commit before starting next transaction'
  | 'Waiting for prior transaction to commit'
  | 'Waiting for conflicting prior transaction to start commit'
  | 'Applying events'
  | 'Committing'
  | 'Rolling back'
  | 'Stopped';

export type ReaderState =
  | 'Waiting for master to send event'
  | 'Waiting for room in worker thread event queue'
  | 'Slave has read all relay log; waiting for more updates'
  | 'Stopped';

export interface WorkerStatus {
  readonly workerId: number;
  readonly state: WorkerState;
  /** The GTID being applied, `domain-server-seq`. */
  readonly gtid: string | undefined;
  readonly attempt: number;
  readonly queuedTransactions: number;
  readonly queuedBytes: number;
  readonly sinceMs: number;
}

export interface ApplierCounters {
  /** Transactions committed. */
  applied: number;
  /** Attempts rolled back and run again. */
  retried: number;
  /** Attempts killed by the applier (an earlier transaction waited on them). */
  kills: number;
  /** Lock-wait reports received. */
  lockWaits: number;
  /** Reports in which an earlier transaction waited on a later one of the same domain. */
  conflicts: number;
  /** Temporary errors (lock wait timeout, deadlock, killed) from the target. */
  temporaryErrors: number;
  /**
   * Other errors of attempts that started before their predecessor committed: retried
   * once it has (the same error from the oldest transaction stops the domain).
   */
  speculativeErrors: number;
  /** Transactions that waited for a specific earlier one because their write sets overlap. */
  keyWaits: number;
  /** Transactions dispatched without known keys (speculated). */
  unknownKeys: number;
  /** Transactions skipped because the start position covers them. */
  skipped: number;
}

export interface ApplierStatus {
  readonly mode: ParallelMode;
  readonly keyAware: boolean;
  readonly running: boolean;
  readonly reader: ReaderState;
  readonly workers: readonly WorkerStatus[];
  readonly counters: Readonly<ApplierCounters>;
  /** Now minus the primary timestamp of the oldest transaction in flight; 0 when idle. */
  readonly lagMs: number;
  /** Per domain, the last GTID committed by this applier (or the start position). */
  readonly position: readonly Gtid[];
  readonly error: Error | undefined;
}

export interface ApplierOutcome {
  /** `caught-up`: the source ended and everything committed; `stopped`: stop() was called; `failed`: a domain failed. */
  readonly state: 'caught-up' | 'stopped' | 'failed';
  readonly position: readonly Gtid[];
  readonly error: Error | undefined;
}
