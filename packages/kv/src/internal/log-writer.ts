import { setImmediate as yieldToImmediate } from 'node:timers/promises';
import { FileSystemError, invariant, type FileHandle, type FileSystem } from '@lockstep/base';
import { KvIoError } from '../errors/kv-io-error.js';
import { encodeFileHeader, LOG_MAGIC, RecordType } from './record-codec.js';

/** Records are encoded in place into buffers of this size, reused once written. */
export const LOG_CHUNK_BYTES = 1024 * 1024;
/** Written chunks kept for reuse. */
const MAX_FREE_CHUNKS = 8;

export function logFileName(fileNumber: number): string {
  return `log-${String(fileNumber).padStart(6, '0')}.wal`;
}

interface Waiter {
  readonly lsn: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** A FIFO of waiters in LSN order (LSNs only grow, so pushes keep the order). */
class WaiterQueue {
  #items: Waiter[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(waiter: Waiter): void {
    this.#items.push(waiter);
  }

  first(): Waiter | undefined {
    return this.#items[this.#head];
  }

  resolveUpTo(lsn: number): void {
    const items = this.#items;
    let head = this.#head;
    while (head < items.length && items[head]!.lsn <= lsn) items[head++]!.resolve();
    if (head === items.length) {
      this.#items = [];
      this.#head = 0;
    } else {
      this.#head = head;
    }
  }

  rejectAll(error: unknown): void {
    const items = this.#items;
    const head = this.#head;
    this.#items = [];
    this.#head = 0;
    for (let i = head; i < items.length; i++) items[i]!.reject(error);
  }
}

interface RotateMarker {
  readonly fileNumber: number;
  readonly done: () => void;
  readonly fail: (error: unknown) => void;
}

/**
 * A buffer records are encoded into, back to back. Bytes [start, end) are not yet written;
 * a sealed chunk takes no more records. Reusing chunks matters: a fresh ArrayBuffer per
 * record is off-heap memory V8 accounts for, and with a large heap that triggers full GCs.
 */
class LogChunk {
  readonly buf: Uint8Array;
  start = 0;
  end = 0;
  sealed = false;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }
}

type PendingItem = LogChunk | RotateMarker;

export interface CoordinatorMark {
  readonly seq: number;
  readonly position: Uint8Array;
}

/**
 * The write-ahead log writer: an in-memory buffer of encoded records and one flush loop.
 *
 * Group commit (leader/follower): appending a record is synchronous and never waits; a
 * writer that needs its record written (or synced) registers a waiter and, if no flush is
 * running, starts the loop — it becomes the leader. The loop writes everything buffered in
 * one write and resolves the writers that only needed the write; if any covered writer needs
 * an fsync it yields one macrotask turn, writes what arrived meanwhile (followers, and the
 * writers the previous group released, who re-enter in microtasks), issues ONE datasync
 * and resolves every writer it covered; it repeats while anything is buffered or waiting.
 *
 * Invariants:
 * - LSNs count record bytes across files; `syncedLsn <= writtenLsn <= appendedLsn`.
 * - Records are written in append order; a file is fully synced before any record is
 *   written to the next one (so only the newest log file can have a torn tail).
 * - After a failure nothing more is written: an ENOSPC write keeps the unwritten records
 *   buffered (`retry()` writes them once space returns); any other failure (and every
 *   failed fsync, whose effect on the page cache is unknown) is permanent.
 */
export class LogWriter {
  readonly #fs: FileSystem;
  readonly #dir: string;
  #handle: FileHandle;
  #fileNumber: number;
  #nextFileNumber: number;
  #fileOffset: number;
  #plannedFileBytes: number;
  readonly #logFileBytes: number;
  #pending: PendingItem[] = [];
  #pendingBytes = 0;
  readonly #freeChunks: LogChunk[] = [];
  // Two FIFO queues, each in LSN order: writers waiting for the write, and for the fsync.
  readonly #writeWaiters = new WaiterQueue();
  readonly #syncWaiters = new WaiterQueue();
  #running = false;
  #failure: KvIoError | undefined;
  #failureRetryable = false;
  #closed = false;
  #coordinatorQueue: { lsn: number; mark: CoordinatorMark }[] = [];
  readonly #onNewFile: (fileNumber: number) => void;

  appendedLsn = 0;
  writtenLsn = 0;
  syncedLsn = 0;
  fsyncs = 0;
  bytesWritten = 0;
  durableCoordinator: CoordinatorMark | undefined;

  constructor(
    fs: FileSystem,
    dir: string,
    file: { handle: FileHandle; fileNumber: number; size: number },
    logFileBytes: number,
    onNewFile: (fileNumber: number) => void,
  ) {
    this.#fs = fs;
    this.#dir = dir;
    this.#handle = file.handle;
    this.#fileNumber = file.fileNumber;
    this.#nextFileNumber = file.fileNumber + 1;
    this.#fileOffset = file.size;
    this.#plannedFileBytes = file.size;
    this.#logFileBytes = logFileBytes;
    this.#onNewFile = onNewFile;
  }

  /** Creates log file `fileNumber` with its header record and makes its name durable. */
  static async createFile(fs: FileSystem, dir: string, fileNumber: number): Promise<{ handle: FileHandle; fileNumber: number; size: number }> {
    const path = `${dir}/${logFileName(fileNumber)}`;
    const handle = await fs.open(path, { create: true, truncate: true });
    try {
      const header = encodeFileHeader(RecordType.LogHeader, LOG_MAGIC, [fileNumber]);
      await handle.write(header, 0);
      await fs.syncDir(dir);
      return { handle, fileNumber, size: header.length };
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  get fileNumber(): number {
    return this.#fileNumber;
  }

  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  get waiterCount(): number {
    return this.#writeWaiters.length + this.#syncWaiters.length;
  }

  get failure(): KvIoError | undefined {
    return this.#failure;
  }

  get failureRetryable(): boolean {
    return this.#failureRetryable;
  }

  /**
   * Reserves `size` bytes in the buffer for one record, which the caller must encode into
   * `reservedBuffer` at the returned offset before it yields; the record's LSN end is
   * `appendedLsn` afterwards. REQUIRES: no failure, not closed.
   */
  reserve(size: number, coordinator?: CoordinatorMark): number {
    invariant(this.#failure === undefined && !this.#closed, 'log append after failure or close');
    if (this.#plannedFileBytes + size > this.#logFileBytes && this.#plannedFileBytes > 64) this.#queueRotation(ignore, ignore);
    const pending = this.#pending;
    let chunk = pending[pending.length - 1];
    if (!(chunk instanceof LogChunk) || chunk.sealed || chunk.end + size > chunk.buf.length) {
      if (chunk instanceof LogChunk) chunk.sealed = true;
      chunk = this.#newChunk(size);
      pending.push(chunk);
    }
    const at = chunk.end;
    chunk.end += size;
    this.reservedBuffer = chunk.buf;
    this.#pendingBytes += size;
    this.#plannedFileBytes += size;
    this.appendedLsn += size;
    if (coordinator !== undefined) this.#coordinatorQueue.push({ lsn: this.appendedLsn, mark: coordinator });
    return at;
  }

  /** The buffer of the last `reserve`. */
  reservedBuffer: Uint8Array = new Uint8Array(0);

  /** Buffers an encoded record; returns the LSN at its end. REQUIRES: no failure, not closed. */
  append(record: Uint8Array, coordinator?: CoordinatorMark): number {
    const at = this.reserve(record.length, coordinator);
    this.reservedBuffer.set(record, at);
    return this.appendedLsn;
  }

  /** Starts a new log file after everything buffered so far; resolves once the switch is done. Returns the new file number. */
  rotate(): { fileNumber: number; switched: Promise<void> } {
    let done!: () => void;
    let fail!: (error: unknown) => void;
    const switched = new Promise<void>((resolve, reject) => {
      done = resolve;
      fail = reject;
    });
    // Marked handled here; the caller awaits it later and still sees a rejection.
    switched.catch(ignore);
    const fileNumber = this.#queueRotation(done, fail);
    this.#kick();
    return { fileNumber, switched };
  }

  /** Resolves once every record up to `lsn` is written (and synced with `sync`). */
  waitFor(lsn: number, sync: boolean): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (lsn <= (sync ? this.syncedLsn : this.writtenLsn)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      (sync ? this.#syncWaiters : this.#writeWaiters).push({ lsn, resolve, reject });
      this.#kick();
    });
  }

  /** After an ENOSPC: clears the failure and writes what is buffered; throws if it fails again. */
  async retry(): Promise<void> {
    if (this.#failure === undefined) return;
    if (!this.#failureRetryable) throw this.#failure;
    this.#failure = undefined;
    this.#failureRetryable = false;
    await this.waitFor(this.appendedLsn, false);
  }

  /** Syncs what is buffered (unless failed) and closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#failure === undefined) {
      try {
        await this.waitFor(this.appendedLsn, true);
      } catch {
        // The failure is recorded; close still releases the file.
      }
    }
    while (this.#running) await yieldToImmediate();
    this.#closed = true;
    await this.#handle.close().catch(() => undefined);
  }

  #queueRotation(done: () => void, fail: (error: unknown) => void): number {
    const fileNumber = this.#nextFileNumber++;
    const last = this.#pending[this.#pending.length - 1];
    if (last instanceof LogChunk) last.sealed = true;
    this.#pending.push({ fileNumber, done, fail });
    this.#plannedFileBytes = 0;
    return fileNumber;
  }

  #kick(): void {
    if (this.#running || this.#failure !== undefined) return;
    this.#running = true;
    void this.#run();
  }

  async #run(): Promise<void> {
    try {
      for (;;) {
        if (this.#pending.length > 0) await this.#writePending();
        this.#writeWaiters.resolveUpTo(this.writtenLsn);
        const first = this.#syncWaiters.first();
        if (first !== undefined && first.lsn <= this.writtenLsn && first.lsn > this.syncedLsn) {
          // Gather before the fsync: writers that arrived during the write, and those the
          // previous group released (they come back in microtasks), join this fsync.
          await yieldToImmediate();
          if (this.#pending.length > 0) await this.#writePending();
          this.#writeWaiters.resolveUpTo(this.writtenLsn);
          const target = this.writtenLsn;
          await this.#handle.datasync();
          this.fsyncs++;
          this.#markSynced(target);
        }
        this.#syncWaiters.resolveUpTo(this.syncedLsn);
        if (this.#pending.length === 0 && this.#writeWaiters.length === 0 && this.#syncWaiters.length === 0) break;
      }
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#running = false;
    }
  }

  async #writePending(): Promise<void> {
    const items = this.#pending;
    this.#pending = [];
    // Records appended while these are written go to new chunks.
    for (const item of items) if (item instanceof LogChunk) item.sealed = true;
    let i = 0;
    try {
      while (i < items.length) {
        const item = items[i]!;
        if (!(item instanceof LogChunk)) {
          await this.#switchFile(item);
          i++;
          continue;
        }
        const bytes = item.end - item.start;
        if (bytes > 0) {
          await this.#handle.write(item.buf.subarray(item.start, item.end), this.#fileOffset);
          this.#fileOffset += bytes;
          this.writtenLsn += bytes;
          this.bytesWritten += bytes;
          this.#pendingBytes -= bytes;
          item.start = item.end;
        }
        if (item.buf.length === LOG_CHUNK_BYTES && this.#freeChunks.length < MAX_FREE_CHUNKS) this.#freeChunks.push(item);
        i++;
      }
    } catch (error) {
      // Nothing from item i on was written: keep it buffered, in order, ahead of newer records.
      this.#pending = items.slice(i).concat(this.#pending);
      throw error;
    }
  }

  #newChunk(size: number): LogChunk {
    if (size > LOG_CHUNK_BYTES) return new LogChunk(size);
    const chunk = this.#freeChunks.pop();
    if (chunk === undefined) return new LogChunk(LOG_CHUNK_BYTES);
    chunk.start = 0;
    chunk.end = 0;
    chunk.sealed = false;
    return chunk;
  }

  async #switchFile(marker: RotateMarker): Promise<void> {
    if (this.writtenLsn > this.syncedLsn) {
      const target = this.writtenLsn;
      await this.#handle.datasync();
      this.fsyncs++;
      this.#markSynced(target);
    }
    const next = await LogWriter.createFile(this.#fs, this.#dir, marker.fileNumber);
    await this.#handle.close().catch(() => undefined);
    this.#handle = next.handle;
    this.#fileNumber = next.fileNumber;
    this.#fileOffset = next.size;
    this.#onNewFile(next.fileNumber);
    marker.done();
  }

  #markSynced(lsn: number): void {
    this.syncedLsn = lsn;
    const queue = this.#coordinatorQueue;
    let n = 0;
    while (n < queue.length && queue[n]!.lsn <= lsn) {
      const { mark } = queue[n]!;
      if (this.durableCoordinator === undefined || mark.seq > this.durableCoordinator.seq) this.durableCoordinator = mark;
      n++;
    }
    if (n > 0) this.#coordinatorQueue = queue.slice(n);
  }

  #fail(error: unknown): void {
    const retryable = error instanceof FileSystemError && error.fsCode === 'ENOSPC' && error.operation === 'write';
    this.#failure = error instanceof KvIoError ? error : new KvIoError(`write-ahead log ${logFileName(this.#fileNumber)}`, error);
    this.#failureRetryable = retryable;
    this.#writeWaiters.rejectAll(this.#failure);
    this.#syncWaiters.rejectAll(this.#failure);
    // A checkpoint waiting for a file switch must not wait forever; the marker stays queued
    // (a retry after ENOSPC performs the switch, and a later checkpoint waits for it anew).
    for (const item of this.#pending) if (!(item instanceof LogChunk)) item.fail(this.#failure);
  }

  /** Starts writing what is buffered (without sync) if nothing is running: write-behind for writeOrdered. */
  writeBehind(): void {
    if (this.#pending.length > 0) this.#kick();
  }
}

function ignore(): void {
  // A size-based rotation has nobody waiting for it.
}
