import type { Clock } from '@lockstep/base';
import type { Bound, LockCounters, LockMode } from '@lockstep/locktree';
import type { CoordinatorPosition } from './coordinator-position.js';
import type { Transaction } from './transaction.js';

export type LockingMode = 'point' | 'range';
export type IsolationLevel = 'repeatable-read' | 'read-committed';
export type { LockMode };

export interface BeginOptions {
  /** Default: the database's `lockingMode` (default 'range'). */
  readonly lockingMode?: LockingMode;
  /** Default: the database's `isolation` (default 'repeatable-read'). */
  readonly isolation?: IsolationLevel;
  /** Bound on each lock wait of this transaction; default the database's (50 000 ms). */
  readonly lockWaitTimeoutMs?: number;
  /** Check for a deadlock when this transaction starts waiting or its blockers change (default the database's, true). */
  readonly deadlockDetection?: boolean;
  /** Repeatable read: take the snapshot now instead of at the first read (START TRANSACTION WITH CONSISTENT SNAPSHOT). */
  readonly consistentSnapshot?: boolean;
}

export interface TransactionDbOptions {
  readonly lockingMode?: LockingMode;
  readonly isolation?: IsolationLevel;
  readonly lockWaitTimeoutMs?: number;
  readonly deadlockDetection?: boolean;
  /** Transactions one deadlock search may visit before it gives up and calls it a deadlock (default 1000). */
  readonly maxDeadlockSearch?: number;
  /** Memory all held locks may use before the lock tree escalates (default 64 MiB). */
  readonly lockMemoryLimitBytes?: number;
  /** Bytes of buffered writes one transaction may hold (default 64 MiB). */
  readonly maxWriteBytes?: number;
  /** Transactions open at once, prepared ones included (default 100 000). */
  readonly maxTransactions?: number;
  /** One-phase commits fsync the engine's log before they resolve (default true). */
  readonly syncCommit?: boolean;
  /** Called synchronously when a transaction starts waiting for a lock and whenever its holders change. May kill. */
  readonly onLockWait?: LockWaitListener;
  /** Name of the participant, for tc status and errors (default 'txn'). */
  readonly participantName?: string;
  readonly clock?: Clock;
}

/**
 * A lock-wait report with transaction objects: `waiter` waits on `indexId` for locks that
 * `holders` hold (or, by FIFO fairness, asked for earlier). Runs inside the lock manager's
 * synchronous section, after the wait is registered: it may call `kill` on any
 * transaction, `waiter` included.
 */
export type LockWaitListener = (waiter: Transaction, holders: readonly Transaction[], indexId: number) => void;

/**
 * `committing`: handed to a coordinator (`branch()`), or an engine call of commit/prepare
 * is in flight; `committed` is set by `commitOrdered` (visible) before `commit()` releases
 * the locks.
 */
export type TransactionState = 'active' | 'committing' | 'prepared' | 'committed' | 'rolled-back';

export interface LockRangeStatus {
  readonly indexId: number;
  readonly left: Bound;
  readonly right: Bound;
  readonly mode: LockMode;
}

export interface LockWaitStatus extends LockRangeStatus {
  readonly waitingMs: number;
  /** Ids of the transactions in the way. */
  readonly blockers: readonly number[];
}

export interface TransactionStatus {
  readonly id: number;
  readonly state: TransactionState;
  readonly lockingMode: LockingMode;
  readonly isolation: IsolationLevel;
  /** Ms since begin (the database's clock). */
  readonly ageMs: number;
  /** Set when the transaction has waited for a lock (the primary's GTID "waited" flag). */
  readonly waitedForLock: boolean;
  /** The reason the transaction must roll back (killed, deadlock, write conflict), if any. */
  readonly mustRollBack: string | undefined;
  readonly xid: bigint | undefined;
  /** True for a prepared transaction found in the engine at startup. */
  readonly recovered: boolean;
  readonly bufferedWrites: number;
  readonly bufferedBytes: number;
  readonly locks: readonly LockRangeStatus[];
  readonly waitingFor: LockWaitStatus | undefined;
}

export interface TxnCounters {
  begun: number;
  committed: number;
  rolledBack: number;
  prepared: number;
  writeConflicts: number;
  duplicateKeys: number;
  deadlocks: number;
  lockWaitTimeouts: number;
  kills: number;
  /** Lock waits that started (a transaction may wait many times). */
  lockWaits: number;
}

export interface TransactionDbStatus {
  readonly transactions: readonly TransactionStatus[];
  readonly counters: Readonly<TxnCounters>;
  readonly locks: Readonly<LockCounters> & { readonly memoryBytes: number; readonly heldLocks: number };
  /** Lock-wait listener calls that threw (the error is kept from the lock manager's pass). */
  readonly listenerErrors: number;
  readonly lastListenerError: unknown;
}

/** Structurally @lockstep/tc's `TransactionBranch` (txn does not depend on tc). */
export interface TransactionBranch {
  readonly participantName: string;
  prepare?(xid: bigint): Promise<void>;
  prepareOrdered?(): void;
  commitOrdered(position: CoordinatorPosition): void;
  commit?(): Promise<void>;
  rollback(): Promise<void>;
}

/** Structurally @lockstep/tc's `TcParticipant`. */
export interface TcParticipant {
  readonly name: string;
  recoverPrepared(): Promise<readonly bigint[]>;
  commitPrepared(xid: bigint): Promise<void>;
  rollbackPrepared(xid: bigint): Promise<void>;
  checkpoint?(): Promise<void>;
}

/** Bounds of a scan or range lock within one index: full kv keys with that index's prefix; absent = the index's end. */
export interface KeyRange {
  readonly gt?: Uint8Array;
  readonly gte?: Uint8Array;
  readonly lt?: Uint8Array;
  readonly lte?: Uint8Array;
}

export interface ScanOptions extends KeyRange {
  readonly reverse?: boolean;
  /**
   * Lock what the scan reads: in range mode, the keys returned and every gap between them
   * up to the scan's bounds (no phantoms); in point mode, the keys returned. Rows are then
   * read as locking reads. Default: a plain read from the snapshot.
   */
  readonly lock?: LockMode;
}

export interface TxnEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}
