export { CommitOrderChain, CommitOrderTicket } from './commit-order.js';
export type { ParkedTicketStatus, TicketState } from './commit-order.js';
export { GroupCommitQueue } from './group-commit-queue.js';
export type { GroupCommitHooks, GroupCommitOptions, GroupCommitStats, GroupOutcome, WrittenGroup } from './group-commit-queue.js';
export type { CommitRequest } from './internal/branch-driver.js';
export type { CommitResult, CoordinatorPosition, TcParticipant, TransactionBranch, Xid } from './participant.js';
export { SingleParticipantCoordinator } from './single-participant-coordinator.js';
export { XidLogCoordinator } from './xid-log-coordinator.js';
export type { XidLogCoordinatorOptions, XidLogRecoveryReport } from './xid-log-coordinator.js';
export { CommitLogError } from './errors/commit-log-error.js';
export { CommitWaitKilledError } from './errors/commit-wait-killed-error.js';
export { CommitWaitTimeoutError } from './errors/commit-wait-timeout-error.js';
export { CoordinatorUnavailableError } from './errors/coordinator-unavailable-error.js';
export { CommitQueueFullError } from './errors/queue-full-error.js';
export { PriorCommitFailedError } from './errors/prior-commit-failed-error.js';
export { XidLogCorruptError } from './errors/xid-log-corrupt-error.js';
export { BinlogCoordinator, comparePositions, recoverFromBinlog } from './binlog-coordinator.js';
export type {
  BinlogCommitRequest,
  BinlogCommitResult,
  BinlogCoordinatorOptions,
  BinlogRecoveryOptions,
  BinlogRecoveryReport,
  BinlogSink,
  GtidFlags,
  LoggedTransaction,
  RecoveredTransaction,
} from './binlog-coordinator.js';
export { GtidState, formatGtid } from './gtid.js';
export type { Gtid } from './gtid.js';
export { BinlogFileSink } from './binlog-file-sink.js';
export type { BinlogEvents, SinkWriteReport } from './binlog-file-sink.js';
export { readBinlogTransactions } from './binlog-transactions.js';
export { BinlogFileCoordinator, DEFAULT_ENGINE_CHECKPOINT_BYTES, DEFAULT_ENGINE_CHECKPOINT_INTERVAL_MS } from './binlog-file-coordinator.js';
export type { BinlogFileCoordinatorOptions, BinlogFileCoordinatorStats, BinlogFilePending, BinlogFileRecoveryReport } from './binlog-file-coordinator.js';
export { CheckpointFailedError } from './errors/checkpoint-failed-error.js';
