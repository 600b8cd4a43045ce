import type { Bound } from './bounds.js';

/** A transaction id; any safe integer the caller chooses. */
export type TxnId = number;

export type LockMode = 'shared' | 'exclusive';

/** The outcome of a try: granted, or the transactions in the way. */
export type TryResult = { readonly granted: true } | { readonly granted: false; readonly conflicts: readonly TxnId[] };

/** Called synchronously when a request starts waiting, and whenever its set of blockers changes. May call `kill`. */
export type WaitListener = (waiter: TxnId, blockers: readonly TxnId[], indexId: number) => void;

export interface HeldRange {
  readonly indexId: number;
  readonly left: Bound;
  readonly right: Bound;
  readonly mode: LockMode;
}

export interface HeldLockStatus extends HeldRange {
  readonly owner: TxnId;
}

export interface PendingRequestStatus extends HeldRange {
  readonly owner: TxnId;
  readonly waitingMs: number;
  readonly blockers: readonly TxnId[];
}

export interface LockCounters {
  /** Requests granted (at once or after a wait). */
  acquisitions: number;
  /** Requests that had to wait. */
  waits: number;
  /** Total milliseconds spent waiting by requests that finished waiting. */
  waitTimeMs: number;
  timeouts: number;
  deadlocks: number;
  kills: number;
  escalations: number;
  /** Requests refused because lock memory stayed over the limit. */
  memoryRefusals: number;
}

export interface LockManagerStatus {
  readonly held: readonly HeldLockStatus[];
  readonly pending: readonly PendingRequestStatus[];
  readonly counters: Readonly<LockCounters>;
  readonly memoryBytes: number;
  readonly memoryLimitBytes: number;
  readonly heldLocks: number;
}
