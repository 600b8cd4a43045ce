import { nodeFileSystem, type Clock, type FileHandle, type FileSystem } from '@lockstep/base';
import { CoordinatorUnavailableError } from './errors/coordinator-unavailable-error.js';
import { GroupCommitQueue, type GroupCommitOptions, type GroupCommitStats, type WrittenGroup } from './group-commit-queue.js';
import { branchHooks, commitThroughQueue, type CommitRequest } from './internal/branch-driver.js';
import { decodeXidLog, encodeCommitGroup, parseXidLogFileName, XID_LOG_HEADER, xidLogFileName } from './internal/xid-log-file.js';
import type { CommitResult, CoordinatorPosition, TcParticipant, Xid } from './participant.js';

export interface XidLogCoordinatorOptions extends GroupCommitOptions {
  /** Directory of the XID log files (created if missing). */
  readonly dir: string;
  /** Every participant that may hold prepared transactions, for recovery and checkpoints. */
  readonly participants: readonly TcParticipant[];
  readonly fs?: FileSystem;
  readonly clock?: Clock;
}

export interface XidLogRecoveryReport {
  readonly filesScanned: number;
  readonly xidsInLog: number;
  /** Prepared transactions found in the log: committed. */
  readonly committed: number;
  /** Prepared transactions not in the log: rolled back. */
  readonly rolledBack: number;
  /** Bytes of a torn tail discarded from the newest file. */
  readonly discardedBytes: number;
}

/**
 * Classic two-phase commit for two or more participants without a binlog: prepare every
 * branch, record the XIDs of a whole group in the XID log with one write and one datasync,
 * then commit every branch in order. Recovery commits prepared XIDs found in the log and
 * rolls back the rest. See FORMAT.md for the file format.
 */
export class XidLogCoordinator {
  readonly recovery: XidLogRecoveryReport;
  readonly #fs: FileSystem;
  readonly #dir: string;
  readonly #participants: readonly TcParticipant[];
  readonly #queue: GroupCommitQueue<CommitRequest>;
  #file: FileHandle;
  #fileNumber: number;
  #logLock: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(options: XidLogCoordinatorOptions, fs: FileSystem, file: FileHandle, fileNumber: number, recovery: XidLogRecoveryReport) {
    this.#fs = fs;
    this.#dir = options.dir;
    this.#participants = options.participants;
    this.#file = file;
    this.#fileNumber = fileNumber;
    this.recovery = recovery;
    this.#queue = new GroupCommitQueue<CommitRequest>({ ...branchHooks, writeGroup: (group) => this.#writeGroup(group) }, options);
  }

  /** Opens the log, recovers prepared transactions in every participant, starts a fresh log file. */
  static async open(options: XidLogCoordinatorOptions): Promise<XidLogCoordinator> {
    const fs = options.fs ?? nodeFileSystem;
    await fs.mkdir(options.dir, { recursive: true });
    const numbers = (await fs.readdir(options.dir)).map(parseXidLogFileName).filter((n): n is number => n !== undefined).sort((a, b) => a - b);
    const committedXids = new Set<Xid>();
    let discardedBytes = 0;
    for (let i = 0; i < numbers.length; i++) {
      const name = xidLogFileName(numbers[i]!);
      const decoded = decodeXidLog(name, await fs.readFile(`${options.dir}/${name}`), i === numbers.length - 1);
      for (const xid of decoded.xids) committedXids.add(xid);
      discardedBytes += decoded.discardedBytes;
    }
    let committed = 0;
    let rolledBack = 0;
    for (const participant of options.participants) {
      for (const xid of await participant.recoverPrepared()) {
        if (committedXids.has(xid)) {
          await participant.commitPrepared(xid);
          committed += 1;
        } else {
          await participant.rollbackPrepared(xid);
          rolledBack += 1;
        }
      }
    }
    // Recovery's decisions are durable in the participants now; start a clean log.
    const fileNumber = (numbers.at(-1) ?? 0) + 1;
    const file = await createLogFile(fs, options.dir, fileNumber);
    await removeLogFiles(fs, options.dir, numbers);
    return new XidLogCoordinator(options, fs, file, fileNumber, {
      filesScanned: numbers.length,
      xidsInLog: committedXids.size,
      committed,
      rolledBack,
      discardedBytes,
    });
  }

  /** Prepares every branch, logs the group's decision durably, commits in order. */
  logAndOrder(request: CommitRequest): Promise<CommitResult> {
    if (this.#closed) return Promise.resolve({ status: 'failed', error: new CoordinatorUnavailableError('closed') });
    return commitThroughQueue(this.#queue, request, true);
  }

  /**
   * Switches to a new log file, waits for the groups logged in the old one to finish their
   * ordered phase, asks every participant to make its commits durable, then deletes the
   * old file. Bounds the log's size and recovery's work.
   */
  async checkpoint(): Promise<void> {
    const previous = await this.#withLogLock(async () => {
      const old = { file: this.#file, number: this.#fileNumber };
      this.#file = await createLogFile(this.#fs, this.#dir, this.#fileNumber + 1);
      this.#fileNumber += 1;
      return old;
    });
    await this.#queue.waitForTakenGroups();
    for (const participant of this.#participants) await participant.checkpoint?.();
    await previous.file.close();
    await removeLogFiles(this.#fs, this.#dir, [previous.number]);
  }

  stats(): GroupCommitStats & { readonly logFile: string } {
    return { ...this.#queue.stats(), logFile: xidLogFileName(this.#fileNumber) };
  }

  /** Waits for queued commits, then closes the log file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.whenIdle();
    await this.#withLogLock(() => this.#file.close());
  }

  /** Appends the group's record; the sync is returned, so the next group can be written while it runs. */
  #writeGroup(group: readonly CommitRequest[]): Promise<WrittenGroup> {
    return this.#withLogLock(async () => {
      const record = encodeCommitGroup(group.map((r) => r.xid));
      const file = this.#file;
      const at = await file.append(record);
      const position: CoordinatorPosition = { logNumber: this.#fileNumber, offset: at + record.length };
      return { positions: group.map(() => position), sync: () => file.datasync() };
    });
  }

  /** Serialises log writes with file switches. */
  #withLogLock<T>(body: () => Promise<T>): Promise<T> {
    const run = this.#logLock.then(body);
    this.#logLock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

async function createLogFile(fs: FileSystem, dir: string, number: number): Promise<FileHandle> {
  const file = await fs.open(`${dir}/${xidLogFileName(number)}`, { create: true, truncate: true });
  await file.append(XID_LOG_HEADER);
  await file.sync();
  await fs.syncDir(dir);
  return file;
}

async function removeLogFiles(fs: FileSystem, dir: string, numbers: readonly number[]): Promise<void> {
  if (numbers.length === 0) return;
  for (const n of numbers) await fs.rm(`${dir}/${xidLogFileName(n)}`, { force: true });
  await fs.syncDir(dir);
}
