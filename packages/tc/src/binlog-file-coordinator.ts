import { systemClock, type Clock, type FileSystem, type TimerHandle } from '@lockstep/base';
import { BinlogWriter, parseBinlogFileName, DEFAULT_BASE_NAME, type BinlogEvent } from '@lockstep/binlog';
import {
  BinlogCoordinator,
  recoverFromBinlog,
  type BinlogCommitRequest,
  type BinlogCommitResult,
  type BinlogRecoveryReport,
  type RecoveredTransaction,
} from './binlog-coordinator.js';
import { BinlogFileSink, type BinlogEvents, type SinkWriteReport } from './binlog-file-sink.js';
import { readBinlogTransactions } from './binlog-transactions.js';
import { CheckpointFailedError } from './errors/checkpoint-failed-error.js';
import { CoordinatorUnavailableError } from './errors/coordinator-unavailable-error.js';
import type { GroupCommitOptions, GroupCommitStats } from './group-commit-queue.js';
import type { Gtid } from './gtid.js';
import type { CoordinatorPosition, TcParticipant } from './participant.js';

async function* noTransactions(): AsyncGenerator<RecoveredTransaction<BinlogEvent[]>> {
  // nothing: a binlog that does not exist yet
}

/** Default binlog bytes written since the last engine checkpoint that start the next one. */
export const DEFAULT_ENGINE_CHECKPOINT_BYTES = 16 * 1024 * 1024;
/** Default time between engine checkpoints while commits arrive (ms). */
export const DEFAULT_ENGINE_CHECKPOINT_INTERVAL_MS = 1000;

export interface BinlogFileCoordinatorOptions extends GroupCommitOptions {
  readonly fs: FileSystem;
  /** The binlog directory. */
  readonly dir: string;
  readonly baseName?: string;
  readonly serverId: number;
  /** gtid_domain_id of locally originated transactions (default 0). */
  readonly domainId?: number;
  /** Rotate the binlog at this size (the writer's `maxFileBytes`, default 1 GiB, at least 4096). */
  readonly maxFileBytes?: number;
  readonly checksum?: boolean;
  /** GTID state of a binlog that does not exist yet. */
  readonly initialGtidState?: Iterable<Gtid>;
  /** The engines. Each must implement `checkpoint()` (make every commitOrdered so far durable). */
  readonly participants: readonly TcParticipant[];
  /** Each engine's durable coordinator position (kv: `decodeCoordinatorPosition(store.durableCoordinatorPosition())`). */
  readonly durablePosition: (participant: TcParticipant) => CoordinatorPosition | undefined;
  /** Re-applies a binlog transaction an engine lost, storing `transaction.end` as its coordinator position. */
  readonly redo: (participant: TcParticipant, transaction: RecoveredTransaction<BinlogEvent[]>) => Promise<void>;
  /** Start an engine checkpoint once this many binlog bytes were written since the last one (default 16 MiB). */
  readonly engineCheckpointBytes?: number;
  /** ... or once this much time passed with commits since the last one (default 1000 ms; 0: only by bytes and rotation). */
  readonly engineCheckpointIntervalMs?: number;
  readonly clock?: Clock;
}

/** What `open` found and did. */
export interface BinlogFileRecoveryReport extends BinlogRecoveryReport {
  /** The binlog was not closed cleanly (its last file was still flagged in use). */
  readonly uncleanShutdown: boolean;
  /** Bytes the binlog writer cut from the torn tail of the last file (incomplete transactions). */
  readonly truncatedBytes: number;
  readonly droppedGroups: number;
  /** The file the scan started from (the last BINLOG_CHECKPOINT), undefined for a new binlog. */
  readonly scannedFrom: string | undefined;
}

/** Per binlog file: transactions written, ordered-committed, and known durable in every engine. */
export interface BinlogFilePending {
  readonly file: string;
  readonly logNumber: number;
  readonly written: number;
  readonly committed: number;
  readonly durableInEngines: number;
}

export interface BinlogFileCoordinatorStats extends GroupCommitStats {
  readonly engineCheckpoints: number;
  readonly binlogCheckpoints: number;
  readonly rotations: number;
  /** The file recovery would start from now. */
  readonly checkpointFile: string;
  readonly lastCheckpointError: unknown;
}

interface FileCounts {
  written: number;
  committed: number;
  durable: number;
}

/**
 * The server's coordinator: a `BinlogCoordinator` over the real binlog (`BinlogFileSink`
 * on a `BinlogWriter`), with crash recovery at open, size rotation, engine checkpoints and
 * BINLOG_CHECKPOINT events.
 *
 * Per binlog file it counts the transactions written, those whose `commitOrdered` ran,
 * and those known durable in every engine (the `commitOrdered` count taken just before
 * the last completed round of participant `checkpoint()` calls). A file is no longer
 * needed by recovery once it is not the file being written and all its transactions are
 * durable in the engines; the BINLOG_CHECKPOINT names the oldest file still needed.
 *
 * Engine checkpoints start (in the background, one at a time, never in a commit's path)
 * after every rotation, after `engineCheckpointBytes` of binlog, and every
 * `engineCheckpointIntervalMs` while commits arrive — so recovery redoes at most about
 * that much binlog, and scans from the file active at the last checkpoint.
 */
export class BinlogFileCoordinator {
  readonly writer: BinlogWriter;
  readonly recovery: BinlogFileRecoveryReport;
  readonly #coordinator: BinlogCoordinator<BinlogEvents>;
  readonly #participants: readonly TcParticipant[];
  readonly #base: string;
  readonly #counts = new Map<number, FileCounts>();
  readonly #checkpointBytes: number;
  readonly #intervalMs: number;
  readonly #clock: Clock;
  #timer: TimerHandle | undefined;
  #bytesSinceCheckpoint = 0;
  #writtenSinceCheckpoint = false;
  #checkpointRunning: Promise<void> | undefined;
  #checkpointAgain = false;
  #engineCheckpoints = 0;
  #binlogCheckpoints = 0;
  #rotations = 0;
  #lastCheckpointError: unknown;
  #closed = false;

  private constructor(options: BinlogFileCoordinatorOptions, writer: BinlogWriter, recovery: BinlogFileRecoveryReport) {
    this.writer = writer;
    this.recovery = recovery;
    this.#participants = options.participants;
    this.#base = options.baseName ?? DEFAULT_BASE_NAME;
    this.#checkpointBytes = options.engineCheckpointBytes ?? DEFAULT_ENGINE_CHECKPOINT_BYTES;
    this.#intervalMs = options.engineCheckpointIntervalMs ?? DEFAULT_ENGINE_CHECKPOINT_INTERVAL_MS;
    this.#clock = options.clock ?? systemClock;
    const sink = new BinlogFileSink(writer);
    sink.onWrite = (report) => {
      this.#onWrite(report);
    };
    this.#coordinator = new BinlogCoordinator<BinlogEvents>({
      ...options,
      sink,
      gtidState: writer.gtidPosition.list(),
      onCommitOrdered: (position) => {
        this.#countsOf(position.logNumber).committed += 1;
      },
    });
    if (this.#intervalMs > 0) this.#armTimer();
  }

  /**
   * Opens the binlog (the writer cuts a torn tail back to the last complete transaction,
   * clears the in-use flag and starts a new file), then recovers the engines from the last
   * checkpoint file on (see `recoverFromBinlog`), makes them durable with a checkpoint,
   * and writes a BINLOG_CHECKPOINT naming the new file. Commits may start when it resolves.
   */
  static async open(options: BinlogFileCoordinatorOptions): Promise<BinlogFileCoordinator> {
    const writer = await BinlogWriter.open({
      fs: options.fs,
      dir: options.dir,
      serverId: options.serverId,
      ...(options.baseName === undefined ? {} : { baseName: options.baseName }),
      ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }),
      ...(options.checksum === undefined ? {} : { checksum: options.checksum }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.initialGtidState === undefined ? {} : { initialGtidState: options.initialGtidState }),
    });
    try {
      const report = writer.report;
      const active = writer.position.file;
      const older = writer.files.filter((f) => f !== active);
      const from = report.checkpointFile !== undefined && older.includes(report.checkpointFile) ? report.checkpointFile : older[0];
      const location = { fs: options.fs, dir: options.dir, baseName: options.baseName ?? DEFAULT_BASE_NAME, fromFile: from };
      // Even with no binlog to scan, engines may hold prepared transactions: none is
      // logged, so recovery rolls them all back.
      const recovered = await recoverFromBinlog({
        transactions: () => (from === undefined ? noTransactions() : readBinlogTransactions(location)),
        participants: options.participants,
        durablePosition: options.durablePosition,
        redo: options.redo,
      });
      if (from !== undefined || recovered.preparedRolledBack > 0) {
        for (const participant of options.participants) await participant.checkpoint?.();
      }
      if (writer.checkpointFile !== active) {
        await writer.checkpoint(active);
        await writer.sync();
      }
      const recovery: BinlogFileRecoveryReport = {
        ...recovered,
        uncleanShutdown: report.uncleanShutdown,
        truncatedBytes: report.truncatedBytes,
        droppedGroups: report.droppedGroups,
        scannedFrom: from,
      };
      return new BinlogFileCoordinator(options, writer, recovery);
    } catch (error) {
      await writer.close().catch(() => undefined);
      throw error;
    }
  }

  /** Logs the transaction in the binlog with its group and commits it in every engine, in binlog order. */
  logAndOrder(request: BinlogCommitRequest<BinlogEvents>): Promise<BinlogCommitResult> {
    if (this.#closed) return Promise.resolve({ status: 'failed', error: new CoordinatorUnavailableError('closed') });
    return this.#coordinator.logAndOrder(request);
  }

  /** `gtid_binlog_pos`. */
  gtidBinlogPos(): Gtid[] {
    return this.#coordinator.gtidBinlogPos();
  }

  /**
   * Runs an engine checkpoint now (after any running one): waits until every group taken
   * so far finished its ordered phase, calls every participant's `checkpoint()`, then
   * writes a BINLOG_CHECKPOINT naming the oldest file still needed, if that moved.
   */
  async checkpoint(): Promise<void> {
    this.#requestCheckpoint();
    while (this.#checkpointRunning !== undefined) await this.#checkpointRunning;
    if (this.#lastCheckpointError !== undefined) {
      const error = this.#lastCheckpointError;
      this.#lastCheckpointError = undefined;
      throw new CheckpointFailedError(error);
    }
  }

  /** FLUSH BINARY LOGS: closes the current file, starts the next, and checkpoints. */
  async rotate(): Promise<void> {
    await this.writer.rotate();
    this.#rotations += 1;
    await this.checkpoint();
  }

  /** Files recovery still needs, with their counts (oldest first). */
  pendingFiles(): BinlogFilePending[] {
    const out: BinlogFilePending[] = [];
    const from = this.writer.files.indexOf(this.writer.checkpointFile);
    for (const file of this.writer.files.slice(Math.max(0, from))) {
      const logNumber = parseBinlogFileName(this.#base, file) ?? 0;
      const c = this.#counts.get(logNumber) ?? { written: 0, committed: 0, durable: 0 };
      out.push({ file, logNumber, written: c.written, committed: c.committed, durableInEngines: c.durable });
    }
    return out;
  }

  stats(): BinlogFileCoordinatorStats {
    return {
      ...this.#coordinator.stats(),
      engineCheckpoints: this.#engineCheckpoints,
      binlogCheckpoints: this.#binlogCheckpoints,
      rotations: this.#rotations,
      checkpointFile: this.writer.checkpointFile,
      lastCheckpointError: this.#lastCheckpointError,
    };
  }

  /**
   * Waits for the commits in flight, checkpoints the engines, names the current file in
   * a BINLOG_CHECKPOINT (a clean restart scans only it), and closes the binlog (clearing
   * its in-use flag). Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#timer?.cancel();
    await this.#coordinator.close();
    try {
      await this.checkpoint();
    } finally {
      await this.writer.close();
    }
  }

  #countsOf(logNumber: number): FileCounts {
    let c = this.#counts.get(logNumber);
    if (c === undefined) {
      c = { written: 0, committed: 0, durable: 0 };
      this.#counts.set(logNumber, c);
    }
    return c;
  }

  #onWrite(report: SinkWriteReport): void {
    this.#countsOf(report.logNumber).written += report.transactions;
    this.#bytesSinceCheckpoint += report.bytes;
    this.#writtenSinceCheckpoint = true;
    if (report.rotated) {
      this.#rotations += 1;
      this.#requestCheckpoint();
    } else if (this.#bytesSinceCheckpoint >= this.#checkpointBytes) {
      this.#requestCheckpoint();
    }
  }

  #armTimer(): void {
    this.#timer = this.#clock.setTimer(this.#intervalMs, () => {
      if (this.#closed) return;
      if (this.#writtenSinceCheckpoint) this.#requestCheckpoint();
      this.#armTimer();
    });
  }

  /** Starts a checkpoint, or asks the running one to run once more (never more than one queued). */
  #requestCheckpoint(): void {
    if (this.#checkpointRunning !== undefined) {
      this.#checkpointAgain = true;
      return;
    }
    const run = async (): Promise<void> => {
      try {
        do {
          this.#checkpointAgain = false;
          try {
            await this.#engineCheckpoint();
            this.#lastCheckpointError = undefined;
          } catch (error) {
            this.#lastCheckpointError = error;
            return;
          }
        } while (this.#askedAgain());
      } finally {
        this.#checkpointRunning = undefined;
      }
    };
    this.#checkpointRunning = run();
  }

  /** Whether a checkpoint was requested while one ran (set from other async paths). */
  #askedAgain(): boolean {
    return this.#checkpointAgain;
  }

  async #engineCheckpoint(): Promise<void> {
    this.#bytesSinceCheckpoint = 0;
    this.#writtenSinceCheckpoint = false;
    await this.#coordinator.waitForTakenGroups();
    // What has run commitOrdered now is what the participants' checkpoints make durable.
    const committed = [...this.#counts].map(([logNumber, c]) => [logNumber, c.committed] as const);
    for (const participant of this.#participants) await participant.checkpoint?.();
    this.#engineCheckpoints += 1;
    for (const [logNumber, n] of committed) {
      const c = this.#counts.get(logNumber);
      if (c !== undefined) c.durable = Math.max(c.durable, n);
    }
    const target = this.#oldestNeeded();
    if (target === undefined || target === this.writer.checkpointFile) return;
    await this.writer.checkpoint(target);
    this.#binlogCheckpoints += 1;
    const targetNumber = parseBinlogFileName(this.#base, target) ?? 0;
    for (const logNumber of [...this.#counts.keys()]) if (logNumber < targetNumber) this.#counts.delete(logNumber);
  }

  /** The oldest file recovery needs: the first (from the current checkpoint) that is being written or has transactions not durable in every engine. */
  #oldestNeeded(): string | undefined {
    const files = this.writer.files;
    const active = this.writer.position.file;
    const from = Math.max(0, files.indexOf(this.writer.checkpointFile));
    for (const file of files.slice(from)) {
      if (file === active) return file;
      const c = this.#counts.get(parseBinlogFileName(this.#base, file) ?? 0);
      if (c !== undefined && c.durable < c.written) return file;
    }
    return undefined;
  }
}
