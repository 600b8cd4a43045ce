import { type Clock, type FileHandle, type FileSystem, invariant, systemClock } from '@lockstep/base';
import { BinlogEventDecoder, BinlogEventEncoder } from './codec.js';
import { BinlogClosedError } from './errors/binlog-closed-error.js';
import { BinlogCorruptError } from './errors/binlog-corrupt-error.js';
import { BinlogEncodeError } from './errors/binlog-encode-error.js';
import { BinlogFileError } from './errors/binlog-file-error.js';
import { BinlogTruncatedError } from './errors/binlog-truncated-error.js';
import {
  BINLOG_MAGIC,
  BINLOG_VERSION,
  DEFAULT_SERVER_VERSION,
  EventFlag,
  GtidFlag,
  MARIADB_10_11_POST_HEADER_LENGTHS,
} from './event-types.js';
import type { BinlogEvent, EventInput, HeaderDefaults } from './events.js';
import { type Gtid, GtidPosition } from './gtid.js';
import {
  type BinlogLocation,
  type BinlogPosition,
  binlogFileName,
  DEFAULT_BASE_NAME,
  joinPath,
  listBinlogFiles,
  MAX_LOG_NUMBER,
  parseBinlogFileName,
  writeBinlogIndex,
} from './binlog-files.js';
import { ByteWriter } from './internal/byte-writer.js';
import { EventCursor } from './internal/event-cursor.js';
import { GroupTracker } from './internal/group-tracker.js';

/** Default size at which the writer rotates to a new file (MariaDB's max_binlog_size default). */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024 * 1024;
/** Smallest allowed `maxFileBytes` (MariaDB's minimum for max_binlog_size). */
export const MIN_MAX_FILE_BYTES = 4096;
/** Most bytes one `appendGroup` may write (one buffer in memory). */
export const DEFAULT_MAX_GROUP_BYTES = 256 * 1024 * 1024;
/** File offset of the FORMAT_DESCRIPTION's flags (magic 4 + header offset 17). */
const FDE_FLAGS_OFFSET = 4 + 17;

export interface BinlogWriterOptions extends BinlogLocation {
  readonly serverId: number;
  /** Rotate once a file reaches this many bytes (checked after each group). Default 1 GiB. */
  readonly maxFileBytes?: number;
  /** Most bytes one group may take. Default 256 MiB. */
  readonly maxGroupBytes?: number;
  /** CRC-32 on every event (MariaDB's binlog_checksum=CRC32). Default true. */
  readonly checksum?: boolean;
  readonly serverVersion?: string;
  /** Event timestamps come from `wallNow()`. */
  readonly clock?: Clock;
  /** GTID state to start from when the directory has no binlog yet (a new primary's gtid_binlog_state). */
  readonly initialGtidState?: Iterable<Gtid>;
}

/** What `open` found and did. */
export interface BinlogOpenReport {
  /** The last file was still flagged in use: the previous writer did not close it. */
  readonly uncleanShutdown: boolean;
  /** That file's name (undefined when the directory was empty). */
  readonly lastFile: string | undefined;
  /** Bytes cut from the end of the last file: an incomplete group or a torn event. */
  readonly truncatedBytes: number;
  /** Complete GTID groups found in the last file's torn tail are kept; this counts groups dropped. */
  readonly droppedGroups: number;
  /** The newest BINLOG_CHECKPOINT in the last file: crash recovery starts there. */
  readonly checkpointFile: string | undefined;
  /** The GTID state at the end of the binlog. */
  readonly gtidState: readonly Gtid[];
}


/** The GTID flags a transaction is logged with (the shape of `@lockstep/tc`'s `GtidFlags`). */
export interface TransactionFlags {
  readonly ddl?: boolean;
  readonly transactional?: boolean;
  readonly waited?: boolean;
  readonly allowParallel?: boolean;
}

/**
 * One transaction for `writeGroup`: the shape of `@lockstep/tc`'s `LoggedTransaction<E>`
 * with `E` = its events (rows events with their table maps, or one DDL query).
 */
export interface TransactionInput {
  readonly gtid: Gtid;
  readonly commitId: bigint | undefined;
  readonly flags: TransactionFlags;
  readonly xid: bigint;
  readonly events: readonly EventInput[];
}

/** Result of writing a group: where each transaction ends, and the sync that makes it durable. */
export interface WrittenBinlogGroup {
  readonly positions: readonly BinlogPosition[];
  /** Makes this group (and everything before it) durable. Safe to call more than once. */
  readonly sync: () => Promise<void>;
}

/** One open binlog file: its handle, how far it is written and synced, and one sync at a time. */
class ActiveFile {
  written: number;
  synced: number;
  closed = false;
  #inflight: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly logNumber: number,
    readonly handle: FileHandle,
    size: number,
  ) {
    this.written = size;
    this.synced = size;
  }

  /** Resolves once bytes up to `target` are durable; concurrent callers share one fsync. */
  async syncTo(target: number): Promise<void> {
    while (this.synced < target) {
      if (this.#inflight !== undefined) {
        await this.#inflight;
        continue;
      }
      invariant(!this.closed, 'a closed binlog file is synced up to its end');
      const upTo = this.written;
      this.#inflight = this.handle.sync().then(
        () => {
          this.synced = Math.max(this.synced, upTo);
          this.#inflight = undefined;
        },
        (error: unknown) => {
          this.#inflight = undefined;
          throw error;
        },
      );
      await this.#inflight;
    }
  }
}

/**
 * Appends to a binlog in MariaDB's format: files `<base>.NNNNNN` each starting with the
 * magic, a FORMAT_DESCRIPTION flagged in use, a GTID_LIST and a BINLOG_CHECKPOINT; rotation
 * by size with a ROTATE event; the index file; purge. One writer per directory.
 *
 * Invariants:
 * - Every event's header log position is the file offset just past it.
 * - Only whole groups are appended, in one write each; a failed write is cut back off.
 * - A file's in-use flag is cleared only after its last byte is durable (rotate, close).
 * - The GTID state is the GTID_LIST of the current file plus every GTID appended since.
 */
export class BinlogWriter {
  readonly #fs: FileSystem;
  readonly #dir: string;
  readonly #base: string;
  readonly #serverId: number;
  readonly #maxFileBytes: number;
  readonly #maxGroupBytes: number;
  readonly #checksum: boolean;
  readonly #serverVersion: string;
  readonly #clock: Clock;
  readonly #encoder: BinlogEventEncoder;
  #files: string[] = [];
  #active!: ActiveFile;
  #gtidState: GtidPosition;
  #checkpointFile = '';
  #broken: unknown;
  #closed = false;
  /** Serialises writes, rotation and purge (one at a time). */
  #lock: Promise<void> = Promise.resolve();
  readonly #waiters = new Set<() => void>();
  report!: BinlogOpenReport;

  private constructor(options: BinlogWriterOptions) {
    this.#fs = options.fs;
    this.#dir = options.dir;
    this.#base = options.baseName ?? DEFAULT_BASE_NAME;
    this.#serverId = options.serverId;
    this.#maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.#maxGroupBytes = options.maxGroupBytes ?? DEFAULT_MAX_GROUP_BYTES;
    this.#checksum = options.checksum ?? true;
    this.#serverVersion = options.serverVersion ?? DEFAULT_SERVER_VERSION;
    this.#clock = options.clock ?? systemClock;
    this.#encoder = new BinlogEventEncoder({ checksum: this.#checksum });
    this.#gtidState = new GtidPosition(options.initialGtidState ?? []);
    if (this.#maxFileBytes < MIN_MAX_FILE_BYTES) throw new BinlogEncodeError(`maxFileBytes ${this.#maxFileBytes} is below ${MIN_MAX_FILE_BYTES}`);
  }

  /**
   * Opens the binlog in `dir`: recovers the last file if it was left in use (cuts an
   * incomplete trailing group or torn event, clears the flag), then starts a new file, as
   * MariaDB does at every start. A last file that was closed cleanly but is damaged is an
   * error (BinlogCorruptError), never cut silently.
   */
  static async open(options: BinlogWriterOptions): Promise<BinlogWriter> {
    const writer = new BinlogWriter(options);
    await writer.#open();
    return writer;
  }

  get location(): BinlogLocation {
    return { fs: this.#fs, dir: this.#dir, baseName: this.#base };
  }

  /** The file being written and the offset of its end. */
  get position(): BinlogPosition {
    return { file: this.#active.name, logNumber: this.#active.logNumber, offset: this.#active.written };
  }

  /** `gtid_binlog_pos`: per domain, the last GTID written. */
  get gtidPosition(): GtidPosition {
    return this.#gtidState;
  }

  /** The binlog files, oldest first. */
  get files(): readonly string[] {
    return this.#files;
  }

  /** The file crash recovery must start from (the last BINLOG_CHECKPOINT written). */
  get checkpointFile(): string {
    return this.#checkpointFile;
  }

  async #open(): Promise<void> {
    await this.#fs.mkdir(this.#dir, { recursive: true });
    await this.#fs.rm(joinPath(this.#dir, `${this.#base}.index.tmp`), { force: true });
    this.#files = await listBinlogFiles(this.location);
    let report: BinlogOpenReport = {
      uncleanShutdown: false,
      lastFile: undefined,
      truncatedBytes: 0,
      droppedGroups: 0,
      checkpointFile: undefined,
      gtidState: this.#gtidState.list(),
    };
    // A last file too short to hold its header was being created: drop it.
    while (this.#files.length > 0) {
      const last = this.#files[this.#files.length - 1]!;
      const recovered = await this.#recoverLastFile(last);
      if (recovered !== undefined) {
        report = recovered;
        break;
      }
      await this.#fs.unlink(joinPath(this.#dir, last));
      await this.#fs.syncDir(this.#dir);
      this.#files.pop();
    }
    const lastNumber = this.#files.length === 0 ? 0 : parseBinlogFileName(this.#base, this.#files[this.#files.length - 1]!)!;
    const needed = report.checkpointFile;
    this.#checkpointFile = report.uncleanShutdown && needed !== undefined && this.#files.includes(needed) ? needed : '';
    await this.#startFile(lastNumber + 1);
    this.report = { ...report, gtidState: this.#gtidState.list() };
  }

  /**
   * Scans the last file: GTID state, last checkpoint, and — if it is still flagged in
   * use — the end of its last complete group, where it is cut. Returns undefined when the
   * file is too short to have a complete FORMAT_DESCRIPTION (it was being created).
   */
  async #recoverLastFile(name: string): Promise<BinlogOpenReport | undefined> {
    const path = joinPath(this.#dir, name);
    const handle = await this.#fs.open(path);
    try {
      const size = await handle.size();
      const magic = new Uint8Array(4);
      const got = await handle.read(magic, 0, 4, 0);
      if (got < 4) return undefined;
      if (!magic.every((b, i) => b === BINLOG_MAGIC[i])) throw new BinlogCorruptError(name, 0, 'not a binlog file (bad magic)');
      const decoder = new BinlogEventDecoder({ file: name });
      const cursor = new EventCursor(handle, decoder, 4);
      const first = await cursor.next();
      if (first.kind !== 'event') {
        if (size < 4 + 19 + 57) return undefined;
        throw first.kind === 'partial' ? new BinlogTruncatedError(name, first.offset, first.available, first.needed) : new BinlogTruncatedError(name, 4, 0, 19);
      }
      if (first.event.event.kind !== 'formatDescription') throw new BinlogCorruptError(name, 4, 'first event is not a format description');
      const inUse = (first.event.event.flags & EventFlag.BINLOG_IN_USE) !== 0;
      const tracker = new GroupTracker();
      let state = this.#gtidState;
      let stateAtBoundary = state;
      let boundary = cursor.offset;
      let checkpoint: string | undefined;
      let pending: Gtid | undefined;
      for (;;) {
        let step;
        try {
          step = await cursor.next();
        } catch (error) {
          if (!inUse) throw error;
          break; // a torn or garbled tail of a file left in use: cut at the last boundary
        }
        if (step.kind === 'eof') break;
        if (step.kind === 'partial') {
          if (!inUse) throw new BinlogTruncatedError(name, step.offset, step.available, step.needed);
          break;
        }
        const event = step.event.event;
        if (event.kind === 'gtidList') state = new GtidPosition([...state.list(), ...event.gtids]);
        else if (event.kind === 'binlogCheckpoint') checkpoint = event.file;
        const where = tracker.feed(event);
        if (where === 'begin') pending = tracker.gtid;
        else if (where === 'end' && pending !== undefined) {
          state = state.with(pending);
          pending = undefined;
        }
        if (!tracker.inGroup) {
          boundary = cursor.offset;
          stateAtBoundary = state;
        }
      }
      const openGroups = tracker.inGroup ? 1 : 0;
      const truncatedBytes = inUse ? size - boundary : 0;
      if (inUse) {
        if (truncatedBytes > 0) await handle.truncate(boundary);
        const flags = first.event.event.flags & ~EventFlag.BINLOG_IN_USE;
        await handle.write(Uint8Array.of(flags & 0xff, flags >> 8), FDE_FLAGS_OFFSET);
        await handle.sync();
      }
      this.#gtidState = inUse ? stateAtBoundary : state;
      return {
        uncleanShutdown: inUse,
        lastFile: name,
        truncatedBytes,
        droppedGroups: inUse ? openGroups : 0,
        checkpointFile: checkpoint,
        gtidState: this.#gtidState.list(),
      };
    } finally {
      await handle.close();
    }
  }

  #now(): number {
    return Math.floor(this.#clock.wallNow() / 1000) >>> 0;
  }

  #header(input: EventInput): BinlogEvent {
    return { timestamp: this.#now(), serverId: this.#serverId, flags: 0, ...input, logPos: 0 };
  }

  #defaults(): HeaderDefaults {
    return { timestamp: this.#now(), serverId: this.#serverId, flags: 0 };
  }

  /** Creates file `logNumber` with its header events, syncs it, adds it to the index. */
  async #startFile(logNumber: number): Promise<void> {
    if (logNumber > MAX_LOG_NUMBER) throw new BinlogFileError(binlogFileName(this.#base, logNumber), 'binlog file numbers are exhausted');
    const name = binlogFileName(this.#base, logNumber);
    if (this.#checkpointFile === '') this.#checkpointFile = name;
    const w = new ByteWriter(512);
    w.bytes(BINLOG_MAGIC);
    const fde: BinlogEvent = this.#header({
      kind: 'formatDescription',
      binlogVersion: BINLOG_VERSION,
      serverVersion: this.#serverVersion,
      createTimestamp: 0,
      postHeaderLengths: MARIADB_10_11_POST_HEADER_LENGTHS,
      checksum: this.#checksum ? 'crc32' : 'none',
      flags: EventFlag.BINLOG_IN_USE,
    });
    this.#encoder.encodeInto(w, fde, 'end');
    this.#encoder.encodeInto(w, this.#header({ kind: 'gtidList', gtids: this.#gtidState.list(), listFlags: 0 }), 'end');
    this.#encoder.encodeInto(w, this.#header({ kind: 'binlogCheckpoint', file: this.#checkpointFile }), 'end');
    const path = joinPath(this.#dir, name);
    const handle = await this.#fs.open(path, { create: true, exclusive: true });
    try {
      await handle.write(w.result(), 0);
      await handle.sync();
      await this.#fs.syncDir(this.#dir);
      this.#files = [...this.#files, name];
      await writeBinlogIndex(this.location, this.#files);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    this.#active = new ActiveFile(name, logNumber, handle, w.pos);
  }

  /** Runs `fn` after every earlier write/rotate/purge; a failure breaks nothing but `fn`'s caller. */
  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.#lock;
    let release!: () => void;
    this.#lock = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      this.#checkUsable();
      return await fn();
    } finally {
      release();
    }
  }

  #checkUsable(): void {
    if (this.#broken !== undefined) throw new BinlogClosedError('an earlier write or sync failed', this.#broken);
    if (this.#closed) throw new BinlogClosedError('closed');
  }

  /**
   * Appends `events` in one write, no sync, after earlier appends. Returns the file offset
   * just past each event. Rotates afterwards if the file reached `maxFileBytes`. A failed
   * write is cut back off (if that fails too the writer is broken).
   */
  async append(events: readonly EventInput[]): Promise<WrittenBinlogGroup & { readonly eventEnds: readonly BinlogPosition[] }> {
    return this.#exclusive(async () => {
      const ends: number[] = [];
      const file = this.#active;
      const { bytes, state } = this.#encodeAll(events, (end) => ends.push(end));
      await this.#write(file, bytes, state);
      const eventEnds = ends.map((offset) => ({ file: file.name, logNumber: file.logNumber, offset }));
      const target = file.written;
      await this.#rotateIfFull();
      return { positions: eventEnds.slice(-1), eventEnds, sync: () => this.#syncFile(file, target) };
    });
  }

  /**
   * Writes a commit group as MariaDB does — per transaction a GTID event (flags, and the
   * group's commit id when it has one), its events, and an XID event (none after a DDL:
   * its group is standalone) — with one write, no sync. Returns each transaction's end
   * position and the sync for the group. This is `@lockstep/tc`'s `BinlogSink.writeGroup`.
   */
  async writeGroup(transactions: readonly TransactionInput[]): Promise<WrittenBinlogGroup> {
    const events: EventInput[] = [];
    const lastIndex: number[] = [];
    for (const tx of transactions) {
      events.push(...transactionEvents(tx));
      lastIndex.push(events.length - 1);
    }
    const written = await this.append(events);
    return { positions: lastIndex.map((i) => written.eventEnds[i]!), sync: written.sync };
  }

  /**
   * A commit group given as each transaction's complete event list (GTID event first,
   * XID or the DDL query last — `transactionEvents` builds one): one write, no sync.
   * Returns the end position of each transaction and the sync for the group.
   */
  async appendGroup(transactions: readonly (readonly EventInput[])[]): Promise<WrittenBinlogGroup> {
    const events: EventInput[] = [];
    const lastIndex: number[] = [];
    for (const tx of transactions) {
      if (tx.length === 0) throw new BinlogEncodeError('a transaction in a group has no events');
      events.push(...tx);
      lastIndex.push(events.length - 1);
    }
    const written = await this.append(events);
    return { positions: lastIndex.map((i) => written.eventEnds[i]!), sync: written.sync };
  }

  #encodeAll(events: readonly EventInput[], onEnd: (offset: number) => void): { bytes: Uint8Array; state: GtidPosition } {
    const base = this.#active.written;
    const w = new ByteWriter(4096);
    let state = this.#gtidState;
    const defaults = this.#defaults();
    for (const event of events) {
      this.#encoder.encodeInto(w, event, 'end', base, defaults);
      if (w.pos > this.#maxGroupBytes) throw new BinlogEncodeError(`group is more than maxGroupBytes (${this.#maxGroupBytes})`);
      if (event.kind === 'gtid') state = state.with({ domainId: event.domainId, serverId: event.serverId ?? this.#serverId, seqNo: event.seqNo });
      onEnd(base + w.pos);
    }
    if (base + w.pos > 0xffffffff) throw new BinlogEncodeError('a binlog file cannot pass 4 GiB (positions are 32-bit)');
    return { bytes: w.result(), state };
  }

  /** Writes at the end of `file`; on success the GTID state becomes `state` (if given) and waiting readers wake. */
  async #write(file: ActiveFile, bytes: Uint8Array, state?: GtidPosition): Promise<void> {
    const at = file.written;
    try {
      await file.handle.write(bytes, at);
    } catch (error) {
      try {
        await file.handle.truncate(at);
      } catch (cutError) {
        this.#broken = cutError;
      }
      throw error;
    }
    file.written = at + bytes.length;
    if (state !== undefined) this.#gtidState = state;
    for (const wake of [...this.#waiters]) wake();
  }

  /** Makes everything written so far durable. */
  async sync(): Promise<void> {
    this.#checkUsable();
    await this.#syncFile(this.#active, this.#active.written);
  }

  /** A failed fsync leaves the file's durable state unknown: the writer breaks (as MariaDB aborts). */
  async #syncFile(file: ActiveFile, target: number): Promise<void> {
    if (this.#broken !== undefined) throw new BinlogClosedError('an earlier write or sync failed', this.#broken);
    try {
      await file.syncTo(target);
    } catch (error) {
      this.#broken = error;
      throw error;
    }
  }

  async #rotateIfFull(): Promise<void> {
    if (this.#active.written >= this.#maxFileBytes) await this.#rotate();
  }

  /** Closes the current file with a ROTATE event and starts the next one (FLUSH BINARY LOGS). */
  async rotate(): Promise<void> {
    await this.#exclusive(() => this.#rotate());
  }

  async #rotate(): Promise<void> {
    const old = this.#active;
    const nextName = binlogFileName(this.#base, old.logNumber + 1);
    const w = new ByteWriter(64);
    this.#encoder.encodeInto(w, this.#header({ kind: 'rotate', position: 4n, nextFile: nextName }), 'end', old.written);
    await this.#write(old, w.result());
    try {
      await old.syncTo(old.written);
      await this.#clearInUse(old);
      await this.#startFile(old.logNumber + 1);
    } catch (error) {
      this.#broken = error;
      throw error;
    }
  }

  async #clearInUse(file: ActiveFile): Promise<void> {
    await file.handle.write(Uint8Array.of(0, 0), FDE_FLAGS_OFFSET);
    await file.handle.sync();
    file.closed = true;
    await file.handle.close();
  }

  /**
   * Writes a BINLOG_CHECKPOINT naming `file`: every transaction in files before it is
   * durable in the engines, so crash recovery may start at `file`, and purge may remove
   * the older files.
   */
  async checkpoint(file: string): Promise<void> {
    await this.#exclusive(async () => {
      const index = this.#files.indexOf(file);
      if (index === -1) throw new BinlogFileError(file, 'not in the binlog index');
      if (index < this.#files.indexOf(this.#checkpointFile)) throw new BinlogFileError(file, `is older than the current checkpoint ${this.#checkpointFile}`);
        const w = new ByteWriter(64);
      this.#encoder.encodeInto(w, this.#header({ kind: 'binlogCheckpoint', file }), 'end', this.#active.written);
      await this.#write(this.#active, w.result());
      this.#checkpointFile = file;
    });
  }

  /**
   * PURGE BINARY LOGS TO `file`: removes every file before it. Never removes the file
   * being written or one recovery still needs (at or after the checkpoint); those bound
   * the purge instead. Returns the names removed. The index is rewritten first, so a crash
   * in between leaves only unlisted files (the next open lists the directory again).
   */
  async purgeTo(file: string): Promise<string[]> {
    return this.#exclusive(async () => {
      const index = this.#files.indexOf(file);
      if (index === -1) throw new BinlogFileError(file, 'not in the binlog index');
      return this.#purgeFirst(index);
    });
  }

  /** PURGE BINARY LOGS BEFORE `wallMs`: removes the oldest files last modified before it (same bounds as purgeTo). */
  async purgeBefore(wallMs: number): Promise<string[]> {
    return this.#exclusive(async () => {
      let count = 0;
      for (const name of this.#files) {
        const stat = await this.#fs.stat(joinPath(this.#dir, name));
        if (stat.mtimeMs >= wallMs) break;
        count++;
      }
      return this.#purgeFirst(count);
    });
  }

  async #purgeFirst(requested: number): Promise<string[]> {
    const limit = Math.min(requested, this.#files.indexOf(this.#checkpointFile), this.#files.length - 1);
    if (limit <= 0) return [];
    const removed = this.#files.slice(0, limit);
    this.#files = this.#files.slice(limit);
    await writeBinlogIndex(this.location, this.#files);
    for (const name of removed) await this.#fs.rm(joinPath(this.#dir, name), { force: true });
    await this.#fs.syncDir(this.#dir);
    return removed;
  }

  /**
   * Resolves when something is appended, or after `timeoutMs`, or on abort — for readers
   * following the binlog in the same process (they poll the file otherwise).
   */
  waitForAppend(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#waiters.delete(done);
        timer.cancel();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.#waiters.add(done);
      const timer = this.#clock.setTimer(timeoutMs, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Syncs, clears the in-use flag and closes. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#exclusive(async () => {
      this.#closed = true;
      const file = this.#active;
      await file.syncTo(file.written);
      await this.#clearInUse(file);
    }).catch((error: unknown) => {
      this.#closed = true;
      throw error;
    });
    for (const wake of [...this.#waiters]) wake();
  }
}

/** The events of one transaction as MariaDB 10.11 logs it (see FORMAT.md, group shapes). */
export function transactionEvents(tx: TransactionInput): EventInput[] {
  const flags = tx.flags;
  let gtidFlags = 0;
  if (flags.ddl === true) gtidFlags |= GtidFlag.DDL | GtidFlag.STANDALONE;
  const transactional = flags.transactional !== false;
  if (transactional && flags.ddl !== true) gtidFlags |= GtidFlag.TRANSACTIONAL;
  if (flags.allowParallel !== false) gtidFlags |= GtidFlag.ALLOW_PARALLEL;
  if (flags.waited === true) gtidFlags |= GtidFlag.WAITED;
  const gtid: EventInput = {
    kind: 'gtid',
    seqNo: tx.gtid.seqNo,
    domainId: tx.gtid.domainId,
    gtidFlags,
    commitId: tx.commitId,
    extra: new Uint8Array(0),
    serverId: tx.gtid.serverId,
    flags: EventFlag.SUPPRESS_USE,
  };
  const withServer = tx.events.map((e) => (e.serverId === undefined ? { ...e, serverId: tx.gtid.serverId } : e));
  if (flags.ddl === true) {
    if (withServer.length !== 1) throw new BinlogEncodeError(`a DDL transaction has exactly one event, got ${withServer.length}`);
    return [gtid, ...withServer];
  }
  if (!transactional) {
    const begin: EventInput = { kind: 'query', threadId: 0, execTimeS: 0, errorCode: 0, database: '', sql: 'BEGIN', status: {}, serverId: tx.gtid.serverId };
    const commit: EventInput = { ...begin, sql: 'COMMIT' };
    return [gtid, begin, ...withServer, commit];
  }
  return [gtid, ...withServer, { kind: 'xid', xid: tx.xid, serverId: tx.gtid.serverId }];
}
