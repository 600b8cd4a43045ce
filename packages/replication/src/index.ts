export { ParallelApplier } from './parallel-applier.js';
export { assembleTransactions } from './event-group-assembler.js';
export type { AssembleOptions, ClassifyEvent, EventClass, PositionedEvent } from './event-group-assembler.js';
export { isTemporaryApplyError } from './temporary-error.js';
export type {
  ApplierCounters,
  ApplierOutcome,
  ApplierStatus,
  ApplyTarget,
  ParallelApplierOptions,
  ParallelMode,
  ReaderState,
  ReplicatedGtidFlags,
  ReplicatedTransaction,
  WorkerState,
  WorkerStatus,
  WorkerTransaction,
} from './types.js';
export { ApplierConfigError } from './errors/applier-config-error.js';
export { ApplierStoppedError } from './errors/applier-stopped-error.js';
export { EventStreamError } from './errors/event-stream-error.js';
export { ReplicaApplyError } from './errors/replica-apply-error.js';
export { RetriesExhaustedError } from './errors/retries-exhausted-error.js';
export { TransactionKilledError } from './errors/transaction-killed-error.js';
export type { CommitOrderTicket, Gtid } from '@lockstep/tc';
