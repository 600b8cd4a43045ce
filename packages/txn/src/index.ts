// Public API of @lockstep/txn: named re-exports only.
export { TransactionDb, MAX_LOCK_WAIT_TIMEOUT_MS } from './transaction-db.js';
export { MAX_OPEN_ITERATORS, Transaction } from './transaction.js';
export type { Savepoint, TransactionConfig } from './transaction.js';
export { TransactionIterator } from './transaction-iterator.js';
export { INDEX_ID_BYTES, MAX_INDEX_ID, indexIdOf, indexKey, indexPrefix, indexRange, keySuccessor, keyWithinIndex } from './key-layout.js';
export { COORDINATOR_POSITION_BYTES, decodeCoordinatorPosition, encodeCoordinatorPosition } from './coordinator-position.js';
export type { CoordinatorPosition } from './coordinator-position.js';
export type {
  BeginOptions,
  IsolationLevel,
  KeyRange,
  LockingMode,
  LockMode,
  LockRangeStatus,
  LockWaitListener,
  LockWaitStatus,
  ScanOptions,
  TcParticipant,
  TransactionBranch,
  TransactionDbOptions,
  TransactionDbStatus,
  TransactionState,
  TransactionStatus,
  TxnCounters,
  TxnEntry,
} from './types.js';
export { CommitNotDurableError } from './errors/commit-not-durable-error.js';
export { CoordinatorPositionError } from './errors/coordinator-position-error.js';
export { DuplicateKeyError } from './errors/duplicate-key-error.js';
export { InvalidOptionError } from './errors/invalid-option-error.js';
export { KeyLayoutError } from './errors/key-layout-error.js';
export { TooManyIteratorsError } from './errors/too-many-iterators-error.js';
export { TooManyTransactionsError } from './errors/too-many-transactions-error.js';
export { TransactionAbortedError } from './errors/transaction-aborted-error.js';
export { TransactionBusyError } from './errors/transaction-busy-error.js';
export { TransactionKilledError } from './errors/transaction-killed-error.js';
export { TransactionStateError } from './errors/transaction-state-error.js';
export { TransactionTooLargeError } from './errors/transaction-too-large-error.js';
export { UnknownXidError } from './errors/unknown-xid-error.js';
export { WriteConflictError } from './errors/write-conflict-error.js';
export { XidInUseError } from './errors/xid-in-use-error.js';
// The lock errors a transaction operation can reject with, from @lockstep/locktree.
export { DeadlockError, LockMemoryExhaustedError, LockWaitKilledError, LockWaitTimeoutError } from '@lockstep/locktree';
