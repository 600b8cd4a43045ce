import type { Clock, FileSystem } from '@lockstep/base';

/**
 * The public contract of @lockstep/kv. @lockstep/txn, @lockstep/tc participants and
 * @lockstep/sql are written against these declarations; change them only together with
 * their users.
 *
 * Keys and values are Uint8Array, ordered bytewise. Sequence numbers are bigint and
 * strictly increase with every applied batch (one sequence per batch). Reads are
 * synchronous: the whole data set is in memory (the newest checkpoint plus the log).
 */

export type Xid = bigint;

export type WriteOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'delete'; readonly key: Uint8Array };

export interface WriteOptions {
  /**
   * true: the returned promise resolves only after the batch's log record is fsynced
   * (concurrent synced writes share one fsync). false (default): resolves after the
   * record is handed to the log; a crash may lose it, never half of it.
   */
  readonly sync?: boolean;
  /** Opaque coordinator position stored atomically with the batch (see `durableCoordinatorPosition`). */
  readonly coordinatorPosition?: Uint8Array;
}

export interface ReadOptions {
  /** Read as of this snapshot; default the newest committed state. */
  readonly snapshot?: KvSnapshot;
}

/** A version of a key as the engine stores it. */
export interface KvEntry {
  /** undefined when the newest visible version is a deletion (tombstone). */
  readonly value: Uint8Array | undefined;
  /** Sequence number of the batch that wrote this version. */
  readonly sequence: bigint;
}

export interface KvSnapshot {
  readonly sequence: bigint;
  /** Idempotent. Old versions this snapshot needed may then be dropped. */
  release(): void;
}

export interface IteratorOptions {
  readonly gt?: Uint8Array;
  readonly gte?: Uint8Array;
  readonly lt?: Uint8Array;
  readonly lte?: Uint8Array;
  /** Default false (ascending). */
  readonly reverse?: boolean;
  /** Read this snapshot; default: an implicit snapshot taken when the iterator is created. */
  readonly snapshot?: KvSnapshot;
}

/**
 * A synchronous cursor over one consistent snapshot. Deleted keys are skipped.
 * `close()` releases the implicit snapshot (idempotent); a closed iterator throws KvClosedError.
 */
export interface KvIterator {
  /** The next entry in iteration order, or undefined at the end of the bounds. */
  next(): { readonly key: Uint8Array; readonly value: Uint8Array } | undefined;
  /**
   * Positions so that `next()` returns the first key >= target (forward) or <= target
   * (reverse), within the bounds.
   */
  seek(target: Uint8Array): void;
  /**
   * Moves the iterator to the newest committed state, keeping its position: the next
   * `next()` returns the first key after the last one returned, as the newest state has it.
   * (Only valid for iterators with an implicit snapshot.)
   */
  refresh(): void;
  close(): void;
  [Symbol.iterator](): Iterator<{ readonly key: Uint8Array; readonly value: Uint8Array }>;
}

export interface PreparedTransaction {
  readonly xid: Xid;
  readonly ops: readonly WriteOp[];
}

export interface RecoveryReport {
  readonly checkpointFile: string | undefined;
  readonly logFilesReplayed: readonly string[];
  readonly batchesReplayed: number;
  /** A torn or corrupt tail that was discarded: which file, from which offset, how many bytes, why. */
  readonly discarded: readonly { readonly file: string; readonly offset: number; readonly bytes: number; readonly reason: string }[];
  readonly preparedFound: number;
}

export interface KvStats {
  readonly liveKeys: number;
  readonly versionsKept: number;
  readonly memoryBytes: number;
  readonly snapshotsOpen: number;
  readonly iteratorsOpen: number;
  readonly lastSequence: bigint;
  readonly fsyncs: number;
  readonly logBytesWritten: number;
  readonly batchesWritten: number;
  readonly checkpoints: number;
  readonly logFiles: number;
  readonly recovery: RecoveryReport;
  // Added by the implementation (beyond the first contract):
  /** Prepared transactions not yet committed or rolled back. */
  readonly preparedTransactions: number;
  /** Log bytes appended but not yet written to the file. */
  readonly bufferedLogBytes: number;
  readonly checkpointRunning: boolean;
  /** The last background checkpoint's failure, if it failed (the next one retries). */
  readonly lastCheckpointError: string | undefined;
  /** Why writes are refused, when the log has failed (reads still work). */
  readonly writeFailure: string | undefined;
}

export interface KvOpenOptions {
  readonly fs?: FileSystem;
  readonly clock?: Clock;
  /** Rotate the log file past this size (default 64 MiB). */
  readonly logFileBytes?: number;
  /** Start a background checkpoint when the log since the last one exceeds this (default 256 MiB; 0 disables). */
  readonly checkpointAfterLogBytes?: number;
  /** Create the directory and an empty database if missing (default true). */
  readonly createIfMissing?: boolean;
  // Added by the implementation (beyond the first contract): named bounds.
  /** Largest key accepted (default 64 KiB). */
  readonly maxKeyBytes?: number;
  /** Largest value accepted (default 16 MiB). */
  readonly maxValueBytes?: number;
  /** Largest batch (keys + values) accepted (default 64 MiB). */
  readonly maxBatchBytes?: number;
  /** `write`/`prepare` wait for the log to drain while more than this is buffered (default 64 MiB). `writeOrdered` cannot wait and may exceed it. */
  readonly maxBufferedLogBytes?: number;
  /** More writers than this waiting for the log makes `write` fail with KvBusyError (default 65536). */
  readonly maxQueuedWriters?: number;
  /** A checkpoint encodes at most about this many bytes per synchronous step (default 1 MiB). */
  readonly checkpointChunkBytes?: number;
}

/**
 * What `KvStore` (the engine class, with `static open(dir, options?): Promise<KvStore>`)
 * provides. Listed as an interface so callers can see the contract at a glance.
 */
export interface KvEngine {
  /** Applies the ops atomically; resolves with the batch's sequence number once visible (and durable if `sync`). */
  write(ops: readonly WriteOp[], options?: WriteOptions): Promise<bigint>;
  /**
   * Applies the ops atomically and makes them visible before returning, with no await:
   * the call order is the commit order (a TC's `commitOrdered`). The log record is
   * buffered; it becomes durable with the next synced write, `flush({ sync: true })`, or
   * a checkpoint. Returns the batch's sequence number.
   */
  writeOrdered(ops: readonly WriteOp[], options?: { readonly coordinatorPosition?: Uint8Array }): bigint;
  get(key: Uint8Array, options?: ReadOptions): Uint8Array | undefined;
  /** The newest version visible at the snapshot, tombstones included (for write-conflict checks). */
  getEntry(key: Uint8Array, options?: ReadOptions): KvEntry | undefined;
  snapshot(): KvSnapshot;
  iterator(options?: IteratorOptions): KvIterator;
  /** Writes the prepared batch to the log (durable when `sync`), invisible until committed. */
  prepare(xid: Xid, ops: readonly WriteOp[], options?: { readonly sync?: boolean }): Promise<void>;
  /** Makes a prepared batch visible (with no await, like `writeOrdered`), returning its sequence. */
  commitPreparedOrdered(xid: Xid, options?: { readonly coordinatorPosition?: Uint8Array }): bigint;
  commitPrepared(xid: Xid, options?: WriteOptions): Promise<bigint>;
  rollbackPrepared(xid: Xid, options?: { readonly sync?: boolean }): Promise<void>;
  /** Prepared and not yet resolved (after a restart: what recovery found). */
  recoverPrepared(): readonly PreparedTransaction[];
  /** The newest coordinator position that is durable in this engine (after recovery, or after a synced write). */
  durableCoordinatorPosition(): Uint8Array | undefined;
  /** Writes every buffered log record and, with `sync`, fsyncs it. */
  flush(options?: { readonly sync?: boolean }): Promise<void>;
  /** Writes a checkpoint now and deletes the log files it covers. */
  checkpoint(): Promise<void>;
  stats(): KvStats;
  /** Flushes, releases every snapshot and iterator, closes files. Idempotent. */
  close(): Promise<void>;
}
