export { MAX_KEY, MIN_KEY, compareBounds, compareBytes, formatBound } from './bounds.js';
export type { Bound, KeyComparator } from './bounds.js';
export { LockManager } from './lock-manager.js';
export type { LockManagerOptions } from './lock-manager.js';
export { LockTree } from './lock-tree.js';
export type { AcquireOptions } from './lock-tree.js';
export type {
  HeldLockStatus,
  HeldRange,
  LockCounters,
  LockManagerStatus,
  LockMode,
  PendingRequestStatus,
  TryResult,
  TxnId,
  WaitListener,
} from './types.js';
export { DeadlockError } from './errors/deadlock-error.js';
export { LockMemoryExhaustedError } from './errors/lock-memory-exhausted-error.js';
export { LockWaitKilledError } from './errors/lock-wait-killed-error.js';
export { LockWaitTimeoutError } from './errors/lock-wait-timeout-error.js';
