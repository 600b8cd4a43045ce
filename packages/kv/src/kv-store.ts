import { posix } from 'node:path';
import { FileSystemError, nodeFileSystem, type FileSystem } from '@lockstep/base';
import { KvBusyError } from './errors/kv-busy-error.js';
import { KvClosedError } from './errors/kv-closed-error.js';
import { KvCorruptionError } from './errors/kv-corruption-error.js';
import { KvInvalidArgumentError } from './errors/kv-invalid-argument-error.js';
import { KvIoError } from './errors/kv-io-error.js';
import { KvXidError } from './errors/kv-xid-error.js';
import { checkpointChunks, checkpointFileName, writeCheckpointFile } from './internal/checkpoint-file.js';
import { LogWriter, logFileName, type CoordinatorMark } from './internal/log-writer.js';
import { MANIFEST_NAME, writeManifest } from './internal/manifest.js';
import { batchFrameBytes, encodeBatchInto, encodeCommitPrepared, encodePrepare, encodeRollbackPrepared, RecordType } from './internal/record-codec.js';
import { isEngineFile, obsoleteFiles, recover } from './internal/recovery.js';
import { SnapshotHandle } from './internal/snapshot-handle.js';
import { StoreIterator, type IteratorPin } from './internal/store-iterator.js';
import { copyOps, validateCoordinatorPosition, validateKey, validateOps, validateXid, type SizeLimits } from './internal/validate.js';
import type { VersionedStore } from './internal/versioned-store.js';
import type {
  IteratorOptions,
  KvEngine,
  KvEntry,
  KvIterator,
  KvOpenOptions,
  KvSnapshot,
  KvStats,
  PreparedTransaction,
  ReadOptions,
  RecoveryReport,
  WriteOp,
  WriteOptions,
  Xid,
} from './types.js';

export const DEFAULT_LOG_FILE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_CHECKPOINT_AFTER_LOG_BYTES = 256 * 1024 * 1024;
export const DEFAULT_CHECKPOINT_CHUNK_BYTES = 1024 * 1024;
export const DEFAULT_MAX_BUFFERED_LOG_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_QUEUED_WRITERS = 65_536;
export const DEFAULT_MAX_KEY_BYTES = 64 * 1024;
export const DEFAULT_MAX_VALUE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_BATCH_BYTES = 64 * 1024 * 1024;
/** Below this many records that may hold garbage, every snapshot release collects at once. */
const EAGER_COLLECT_RECORDS = 4096;

/** Directories open in this process, per file system: a second open is KvBusyError. */
const openDirectories = new WeakMap<FileSystem, Set<string>>();

function normalizeDir(dir: string): string {
  const p = posix.normalize(dir);
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/**
 * The storage engine. See README.md for the design and FORMAT.md for the files.
 *
 * Invariants:
 * - Sequence order = log order = visibility order: a batch gets its sequence, its log
 *   record is buffered and it is applied to memory in one synchronous section.
 * - The state in memory is always a whole number of batches (never part of one).
 * - After a log failure nothing more is appended (reads continue); an ENOSPC write is
 *   retried by the next write once space returns, any other failure lasts until reopen.
 */
export class KvStore implements KvEngine {
  readonly dir: string;
  readonly #fs: FileSystem;
  readonly #store: VersionedStore;
  readonly #log: LogWriter;
  readonly #prepared: Map<bigint, readonly WriteOp[]>;
  readonly #limits: SizeLimits;
  readonly #maxBufferedLogBytes: number;
  readonly #maxQueuedWriters: number;
  readonly #checkpointAfterLogBytes: number;
  readonly #checkpointChunkBytes: number;
  readonly #snapshots = new Set<SnapshotHandle>();
  readonly #iterators = new Set<StoreIterator>();
  readonly #recovery: RecoveryReport;
  #liveLogNumbers: number[];
  #checkpointNumber: number;
  #newestCoordinator: CoordinatorMark | undefined;
  #durableCoordinatorBase: CoordinatorMark | undefined;
  #checkpointRunning: Promise<void> | undefined;
  #checkpointStartLsn = 0;
  #checkpoints = 0;
  #lastCheckpointError: string | undefined;
  #batchesWritten = 0;
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(
    fs: FileSystem,
    dir: string,
    state: Awaited<ReturnType<typeof recover>>,
    log: LogWriter,
    options: KvOpenOptions,
  ) {
    this.#fs = fs;
    this.dir = dir;
    this.#store = state.store;
    this.#prepared = state.prepared;
    this.#newestCoordinator = state.coordinator;
    this.#durableCoordinatorBase = state.coordinator;
    this.#recovery = state.report;
    this.#checkpointNumber = state.manifest.checkpointNumber;
    this.#liveLogNumbers = [...state.logNumbers, log.fileNumber];
    this.#log = log;
    this.#limits = {
      maxKeyBytes: options.maxKeyBytes ?? DEFAULT_MAX_KEY_BYTES,
      maxValueBytes: options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES,
      maxBatchBytes: options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES,
    };
    this.#maxBufferedLogBytes = options.maxBufferedLogBytes ?? DEFAULT_MAX_BUFFERED_LOG_BYTES;
    this.#maxQueuedWriters = options.maxQueuedWriters ?? DEFAULT_MAX_QUEUED_WRITERS;
    this.#checkpointAfterLogBytes = options.checkpointAfterLogBytes ?? DEFAULT_CHECKPOINT_AFTER_LOG_BYTES;
    this.#checkpointChunkBytes = options.checkpointChunkBytes ?? DEFAULT_CHECKPOINT_CHUNK_BYTES;
  }

  /**
   * Opens (or creates) the database in `dir`: loads the newest checkpoint, replays the logs
   * after it, and starts a new log file. Throws KvCorruptionError for damage that is not a
   * torn log tail, KvIoError for a failed file-system call, KvBusyError if `dir` is open.
   */
  static async open(dir: string, options: KvOpenOptions = {}): Promise<KvStore> {
    const fs = options.fs ?? nodeFileSystem;
    const path = normalizeDir(dir);
    const logFileBytes = options.logFileBytes ?? DEFAULT_LOG_FILE_BYTES;
    if (!Number.isSafeInteger(logFileBytes) || logFileBytes < 1024) throw new KvInvalidArgumentError('logFileBytes must be an integer >= 1024');
    let open = openDirectories.get(fs);
    if (open === undefined) {
      open = new Set();
      openDirectories.set(fs, open);
    }
    if (open.has(path)) throw new KvBusyError(`${path} is already open in this process`);
    open.add(path);
    try {
      if (!(await fs.exists(`${path}/${MANIFEST_NAME}`))) {
        if (options.createIfMissing === false) throw new KvIoError(`open ${path}`, new FileSystemError('ENOENT', 'open', `${path}/${MANIFEST_NAME}`, { detail: 'no database here and createIfMissing is false' }));
        await fs.mkdir(path, { recursive: true });
        const names = await fs.readdir(path);
        const stray = names.find((name) => isEngineFile(name) && !name.endsWith('.tmp'));
        if (stray !== undefined) throw new KvCorruptionError(`${path}/${MANIFEST_NAME}`, 0, `missing, but ${stray} exists`);
        await writeManifest(fs, path, { checkpointNumber: 0, firstLogNumber: 1 });
      }
      const state = await recover(fs, path);
      for (const name of obsoleteFiles(await fs.readdir(path), state.manifest)) await fs.unlink(`${path}/${name}`);
      const file = await LogWriter.createFile(fs, path, state.nextLogNumber);
      const onNewFile: { store?: KvStore } = {};
      const log = new LogWriter(fs, path, file, logFileBytes, (n) => {
        if (onNewFile.store !== undefined) onNewFile.store.#onNewLogFile(n);
      });
      const store = new KvStore(fs, path, state, log, options);
      onNewFile.store = store;
      return store;
    } catch (error) {
      open.delete(path);
      if (error instanceof FileSystemError) throw new KvIoError(`open ${path}`, error);
      throw error;
    }
  }

  // ---- writes ---------------------------------------------------------------------

  /*
   * The promise-returning writes apply synchronously, inside the call, whenever the log is
   * healthy and under its bounds (the common case): then call order is commit order, as for
   * `writeOrdered`. Only after an ENOSPC (the buffered log is retried first) or past
   * `maxBufferedLogBytes` (the caller waits for the log to drain) do they apply later.
   */

  write(ops: readonly WriteOp[], options: WriteOptions = {}): Promise<bigint> {
    return this.#admit(() => {
      validateOps(ops, this.#limits);
      validateCoordinatorPosition(options.coordinatorPosition);
      const { seq, lsn } = this.#commitBatch(ops, options.coordinatorPosition);
      return this.#log.waitFor(lsn, options.sync === true).then(() => BigInt(seq));
    });
  }

  writeOrdered(ops: readonly WriteOp[], options: { readonly coordinatorPosition?: Uint8Array } = {}): bigint {
    this.#admitSyncWrite();
    validateOps(ops, this.#limits);
    validateCoordinatorPosition(options.coordinatorPosition);
    const { seq } = this.#commitBatch(ops, options.coordinatorPosition);
    this.#log.writeBehind();
    return BigInt(seq);
  }

  prepare(xid: Xid, ops: readonly WriteOp[], options: { readonly sync?: boolean } = {}): Promise<void> {
    return this.#admit(() => {
      validateXid(xid);
      validateOps(ops, this.#limits);
      if (this.#prepared.has(xid)) throw new KvXidError('duplicate', xid);
      const copy = copyOps(ops);
      const lsn = this.#log.append(encodePrepare(RecordType.Prepare, xid, copy));
      this.#prepared.set(xid, copy);
      this.#afterAppend();
      return this.#log.waitFor(lsn, options.sync === true);
    });
  }

  commitPreparedOrdered(xid: Xid, options: { readonly coordinatorPosition?: Uint8Array } = {}): bigint {
    this.#admitSyncWrite();
    const { seq } = this.#commitPrepared(xid, options.coordinatorPosition);
    this.#log.writeBehind();
    return BigInt(seq);
  }

  commitPrepared(xid: Xid, options: WriteOptions = {}): Promise<bigint> {
    return this.#admit(() => {
      const { seq, lsn } = this.#commitPrepared(xid, options.coordinatorPosition);
      return this.#log.waitFor(lsn, options.sync === true).then(() => BigInt(seq));
    });
  }

  rollbackPrepared(xid: Xid, options: { readonly sync?: boolean } = {}): Promise<void> {
    return this.#admit(() => {
      validateXid(xid);
      if (!this.#prepared.has(xid)) throw new KvXidError('unknown', xid);
      const lsn = this.#log.append(encodeRollbackPrepared(xid));
      this.#prepared.delete(xid);
      this.#afterAppend();
      return this.#log.waitFor(lsn, options.sync === true);
    });
  }

  recoverPrepared(): readonly PreparedTransaction[] {
    this.#checkOpen();
    return [...this.#prepared]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([xid, ops]) => ({ xid, ops }));
  }

  durableCoordinatorPosition(): Uint8Array | undefined {
    const fromLog = this.#log.durableCoordinator;
    const base = this.#durableCoordinatorBase;
    const newest = fromLog === undefined ? base : base === undefined || fromLog.seq > base.seq ? fromLog : base;
    return newest?.position.slice();
  }

  async flush(options: { readonly sync?: boolean } = {}): Promise<void> {
    this.#checkOpen();
    const failure = this.#log.failure;
    if (failure !== undefined) {
      if (!this.#log.failureRetryable) throw failure;
      await this.#log.retry();
    }
    await this.#log.waitFor(this.#log.appendedLsn, options.sync === true);
  }

  // ---- reads ----------------------------------------------------------------------

  get(key: Uint8Array, options?: ReadOptions): Uint8Array | undefined {
    this.#checkOpen();
    validateKey(key);
    const at = options?.snapshot === undefined ? this.#store.lastSeq : this.#snapshotSeq(options.snapshot);
    return this.#store.get(key, at)?.value;
  }

  getEntry(key: Uint8Array, options?: ReadOptions): KvEntry | undefined {
    this.#checkOpen();
    validateKey(key);
    const at = options?.snapshot === undefined ? this.#store.lastSeq : this.#snapshotSeq(options.snapshot);
    const version = this.#store.get(key, at);
    return version === undefined ? undefined : { value: version.value, sequence: BigInt(version.seq) };
  }

  snapshot(): KvSnapshot {
    this.#checkOpen();
    const seq = this.#store.lastSeq;
    this.#store.snapshots.add(seq);
    const handle = new SnapshotHandle(this, seq, (h) => {
      this.#snapshots.delete(h);
      this.#unpin(h.seq);
    });
    this.#snapshots.add(handle);
    return handle;
  }

  iterator(options: IteratorOptions = {}): KvIterator {
    this.#checkOpen();
    let pin: IteratorPin;
    if (options.snapshot !== undefined) {
      const snapshot = options.snapshot;
      this.#snapshotSeq(snapshot);
      pin = {
        sequence: () => this.#snapshotSeq(snapshot),
        refresh: () => {
          throw new KvInvalidArgumentError('refresh() needs an iterator with an implicit snapshot (this one reads an explicit snapshot)');
        },
        release: () => undefined,
      };
    } else {
      const store = this.#store;
      let seq = store.lastSeq;
      store.snapshots.add(seq);
      pin = {
        sequence: () => seq,
        refresh: () => {
          this.#checkOpen();
          const newest = store.lastSeq;
          if (newest === seq) return;
          store.snapshots.add(newest);
          const old = seq;
          seq = newest;
          this.#unpin(old);
        },
        release: () => {
          this.#unpin(seq);
        },
      };
    }
    const iterator: StoreIterator = new StoreIterator(this.#store, options, pin, () => this.#iterators.delete(iterator));
    this.#iterators.add(iterator);
    return iterator;
  }

  // ---- checkpoints ----------------------------------------------------------------

  /** Writes a checkpoint of the state now (waiting for one already running first). */
  async checkpoint(): Promise<void> {
    this.#checkOpen();
    while (this.#checkpointRunning !== undefined) await this.#checkpointRunning.catch(() => undefined);
    this.#checkOpen();
    const running = this.#runCheckpoint();
    this.#checkpointRunning = running;
    try {
      await running;
    } finally {
      if (this.#checkpointRunning === running) this.#checkpointRunning = undefined;
    }
  }

  stats(): KvStats {
    const store = this.#store;
    return {
      liveKeys: store.liveKeys,
      versionsKept: store.versionsKept,
      memoryBytes: store.memoryBytes,
      snapshotsOpen: this.#snapshots.size,
      iteratorsOpen: this.#iterators.size,
      lastSequence: BigInt(store.lastSeq),
      fsyncs: this.#log.fsyncs,
      logBytesWritten: this.#log.bytesWritten,
      batchesWritten: this.#batchesWritten,
      checkpoints: this.#checkpoints,
      logFiles: this.#liveLogNumbers.length,
      recovery: this.#recovery,
      preparedTransactions: this.#prepared.size,
      bufferedLogBytes: this.#log.bufferedBytes,
      checkpointRunning: this.#checkpointRunning !== undefined,
      lastCheckpointError: this.#lastCheckpointError,
      writeFailure: this.#log.failure?.message,
    };
  }

  async close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    this.#closing = (async () => {
      while (this.#checkpointRunning !== undefined) await this.#checkpointRunning.catch(() => undefined);
      await this.#log.close();
      for (const iterator of this.#iterators) iterator.detach();
      this.#iterators.clear();
      for (const snapshot of this.#snapshots) snapshot.detach();
      this.#snapshots.clear();
      openDirectories.get(this.#fs)?.delete(this.dir);
    })();
    return this.#closing;
  }

  // ---- internals ------------------------------------------------------------------

  #checkOpen(): void {
    if (this.#closed) throw new KvClosedError(`kv store ${this.dir}`);
  }

  /**
   * Runs `apply` (which appends to the log and applies to memory, synchronously) now if the
   * engine is open, healthy and under its bounds; otherwise first retries the log after an
   * ENOSPC or waits for buffered log bytes to drain. Errors become rejections.
   */
  #admit<T>(apply: () => Promise<T>): Promise<T> {
    try {
      this.#checkOpen();
      const log = this.#log;
      if (log.failure === undefined && log.bufferedBytes <= this.#maxBufferedLogBytes) {
        this.#checkQueue();
        return apply();
      }
      return this.#admitSlowly(apply);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async #admitSlowly<T>(apply: () => Promise<T>): Promise<T> {
    const log = this.#log;
    if (log.failure !== undefined) {
      if (!log.failureRetryable) throw log.failure;
      await log.retry();
      this.#checkOpen();
    }
    if (log.bufferedBytes > this.#maxBufferedLogBytes) {
      await log.waitFor(log.appendedLsn, false);
      this.#checkOpen();
    }
    return this.#admit(apply);
  }

  #checkQueue(): void {
    const waiting = this.#log.waiterCount;
    if (waiting >= this.#maxQueuedWriters) throw new KvBusyError(`${waiting} writers already wait for the log (maxQueuedWriters ${this.#maxQueuedWriters})`);
  }

  #admitSyncWrite(): void {
    this.#checkOpen();
    const failure = this.#log.failure;
    if (failure !== undefined) throw failure;
  }

  #commitBatch(ops: readonly WriteOp[], position: Uint8Array | undefined): { seq: number; lsn: number } {
    const seq = this.#store.lastSeq + 1;
    const mark = position === undefined ? undefined : { seq, position: position.slice() };
    const log = this.#log;
    const frameBytes = batchFrameBytes(ops, position);
    const at = log.reserve(frameBytes, mark);
    encodeBatchInto(log.reservedBuffer, at, frameBytes, seq, ops, position);
    const lsn = log.appendedLsn;
    // Start the file write before applying: the write runs in the I/O thread while this
    // thread updates memory (the batch is visible when this call returns either way).
    log.writeBehind();
    this.#store.apply(ops, seq);
    if (mark !== undefined) this.#newestCoordinator = mark;
    this.#batchesWritten++;
    this.#afterAppend();
    return { seq, lsn };
  }

  #commitPrepared(xid: Xid, position: Uint8Array | undefined): { seq: number; lsn: number } {
    validateXid(xid);
    validateCoordinatorPosition(position);
    const ops = this.#prepared.get(xid);
    if (ops === undefined) throw new KvXidError('unknown', xid);
    const seq = this.#store.lastSeq + 1;
    const mark = position === undefined ? undefined : { seq, position: position.slice() };
    const lsn = this.#log.append(encodeCommitPrepared(xid, seq, position), mark);
    this.#store.apply(ops, seq);
    this.#prepared.delete(xid);
    if (mark !== undefined) this.#newestCoordinator = mark;
    this.#batchesWritten++;
    this.#afterAppend();
    return { seq, lsn };
  }

  #afterAppend(): void {
    if (
      this.#checkpointAfterLogBytes > 0 &&
      this.#checkpointRunning === undefined &&
      this.#log.appendedLsn - this.#checkpointStartLsn > this.#checkpointAfterLogBytes
    ) {
      const running = this.#runCheckpoint();
      this.#checkpointRunning = running;
      running
        .catch((error: unknown) => {
          this.#lastCheckpointError = error instanceof Error ? error.message : 'checkpoint failed';
        })
        .finally(() => {
          if (this.#checkpointRunning === running) this.#checkpointRunning = undefined;
        });
    }
  }

  #snapshotSeq(snapshot: KvSnapshot): number {
    if (!(snapshot instanceof SnapshotHandle) || snapshot.owner !== this) throw new KvInvalidArgumentError('snapshot does not belong to this store');
    if (snapshot.released) throw new KvClosedError('snapshot');
    return snapshot.seq;
  }

  #unpin(seq: number): void {
    const store = this.#store;
    const oldestChanged = store.snapshots.remove(seq);
    if (oldestChanged || store.snapshots.count === 0 || store.versionsKept - store.tree.size < EAGER_COLLECT_RECORDS) store.collectGarbage();
  }

  #onNewLogFile(fileNumber: number): void {
    this.#liveLogNumbers.push(fileNumber);
  }

  /**
   * Checkpoint: in one synchronous step pin the newest sequence, copy the prepared set and
   * queue a log switch (every record so far goes to older files); then write the pinned
   * state in chunks of `checkpointChunkBytes` (each chunk is one synchronous step, so a
   * writer waits at most one chunk's encoding), publish it through the manifest, and delete
   * the logs and checkpoint it replaces.
   */
  async #runCheckpoint(): Promise<void> {
    const failure = this.#log.failure;
    if (failure !== undefined) throw failure;
    const store = this.#store;
    const seq = store.lastSeq;
    store.snapshots.add(seq);
    const prepared = [...this.#prepared];
    const coordinator = this.#newestCoordinator;
    this.#checkpointStartLsn = this.#log.appendedLsn;
    const { fileNumber, switched } = this.#log.rotate();
    try {
      await writeCheckpointFile(
        this.#fs,
        this.dir,
        fileNumber,
        { seq, firstLogNumber: fileNumber, prepared, coordinator },
        checkpointChunks(store, seq, this.#checkpointChunkBytes),
      );
      await switched;
      await writeManifest(this.#fs, this.dir, { checkpointNumber: fileNumber, firstLogNumber: fileNumber });
      const oldCheckpoint = this.#checkpointNumber;
      this.#checkpointNumber = fileNumber;
      if (coordinator !== undefined && (this.#durableCoordinatorBase === undefined || coordinator.seq > this.#durableCoordinatorBase.seq)) {
        this.#durableCoordinatorBase = coordinator;
      }
      this.#checkpoints++;
      const obsolete = this.#liveLogNumbers.filter((n) => n < fileNumber);
      this.#liveLogNumbers = this.#liveLogNumbers.filter((n) => n >= fileNumber);
      // Deleting replaced files is housekeeping: a failure here leaves garbage the next open removes.
      for (const n of obsolete) await this.#fs.unlink(`${this.dir}/${logFileName(n)}`).catch(() => undefined);
      if (oldCheckpoint !== 0) await this.#fs.unlink(`${this.dir}/${checkpointFileName(oldCheckpoint)}`).catch(() => undefined);
    } catch (error) {
      throw error instanceof FileSystemError ? new KvIoError('checkpoint', error) : error;
    } finally {
      this.#unpin(seq);
    }
  }
}
