import type { Clock } from '@lockstep/base';
import { CoordinatorUnavailableError } from './errors/coordinator-unavailable-error.js';
import { GroupCommitQueue, type GroupCommitOptions, type GroupCommitStats, type WrittenGroup } from './group-commit-queue.js';
import { GtidState, type Gtid } from './gtid.js';
import { branchHooks, commitThroughQueue, type CommitRequest } from './internal/branch-driver.js';
import type { CommitResult, CoordinatorPosition, TcParticipant, Xid } from './participant.js';

/** The GTID flags MariaDB's parallel replication reads on a replica. */
export interface GtidFlags {
  readonly ddl?: boolean;
  readonly transactional?: boolean;
  /** The transaction waited for a row lock on the primary (optimistic mode serialises it). */
  readonly waited?: boolean;
  readonly allowParallel?: boolean;
}

/** A commit through the binlog: its branches, its binlog payload, and optionally a given GTID. */
export interface BinlogCommitRequest<E> extends CommitRequest {
  /** What the sink writes between the GTID event and the XID/COMMIT (row events, or a DDL query). */
  readonly events: E;
  /** The domain for an assigned GTID (default: the coordinator's). */
  readonly domainId?: number;
  /** A GTID fixed elsewhere (a replica logging what it applies); assigned when absent. */
  readonly gtid?: Gtid;
  readonly flags?: GtidFlags;
}

/** One transaction as the sink writes it: GTID event (with commit id and flags), events, XID. */
export interface LoggedTransaction<E> {
  readonly gtid: Gtid;
  /** Shared by every transaction of a group of two or more; undefined for a group of one. */
  readonly commitId: bigint | undefined;
  readonly flags: GtidFlags;
  readonly xid: Xid;
  readonly events: E;
}

/**
 * Where the binlog coordinator writes: implemented over `@lockstep/binlog`'s writer by the
 * server (GTID event + events + XID event per transaction, a whole group in one append).
 */
export interface BinlogSink<E> {
  /** Appends the group without syncing; returns each transaction's end position and the sync. */
  writeGroup(transactions: readonly LoggedTransaction<E>[]): Promise<WrittenGroup>;
}

export type BinlogCommitResult = CommitResult & { readonly gtid?: Gtid };

export interface BinlogCoordinatorOptions<E> extends GroupCommitOptions {
  readonly sink: BinlogSink<E>;
  readonly serverId: number;
  /** Domain of locally originated transactions (gtid_domain_id). */
  readonly domainId?: number;
  /** The GTID state found in the binlog at startup (after recovery). */
  readonly gtidState?: Iterable<Gtid>;
  readonly clock?: Clock;
  /**
   * Called after every commit's `commitOrdered`, in commit order, with its binlog end
   * position (the binlog file coordinator counts, per file, what engines still lack).
   */
  readonly onCommitOrdered?: (position: CoordinatorPosition) => void;
}

interface Pending<E> {
  readonly request: BinlogCommitRequest<E>;
  logged: LoggedTransaction<E> | undefined;
}

/**
 * The normal coordinator: the binlog is the commit record. A group's GTIDs are assigned
 * in queue order before the write (so binlog order = GTID order = commit order), the group
 * is appended with one write and made durable with one sync, then every branch's
 * `commitOrdered` runs in that order with the transaction's binlog end position, which
 * the engine stores with the commit. Engines do not sync their commits: after a crash,
 * `recoverFromBinlog` redoes from the binlog whatever an engine had not made durable.
 * With one engine, no prepare is needed: nothing reaches the engine before the binlog
 * write is durable.
 */
export class BinlogCoordinator<E> {
  readonly #queue: GroupCommitQueue<Pending<E>>;
  readonly #sink: BinlogSink<E>;
  readonly #serverId: number;
  readonly #domainId: number;
  readonly #state: GtidState;
  #closed = false;

  constructor(options: BinlogCoordinatorOptions<E>) {
    this.#sink = options.sink;
    this.#serverId = options.serverId;
    this.#domainId = options.domainId ?? 0;
    this.#state = new GtidState(options.gtidState);
    const onCommitOrdered = options.onCommitOrdered;
    this.#queue = new GroupCommitQueue<Pending<E>>(
      {
        beforeFlush: (group) => {
          this.#assignGtids(group);
          branchHooks.beforeFlush(group.map((p) => p.request));
        },
        writeGroup: (group) => this.#sink.writeGroup(group.map((p) => p.logged!)),
        runOrdered: (pending, position) => {
          branchHooks.runOrdered(pending.request, position);
          onCommitOrdered?.(position);
        },
      },
      options,
    );
  }

  /**
   * Logs the transaction in the binlog with its group and commits every branch in binlog
   * order. Two-phase (prepare first) only when the transaction has two or more branches.
   */
  async logAndOrder(request: BinlogCommitRequest<E>): Promise<BinlogCommitResult> {
    if (this.#closed) return { status: 'failed', error: new CoordinatorUnavailableError('closed') };
    const pending: Pending<E> = { request, logged: undefined };
    const result = await commitThroughQueue(
      {
        submit: (_request, ticket) => this.#queue.submit(pending, ticket),
      },
      request,
      request.branches.length > 1,
    );
    return pending.logged === undefined || result.status === 'failed' ? result : { ...result, gtid: pending.logged.gtid };
  }

  /** `gtid_binlog_pos`: the last GTID logged per domain. */
  gtidBinlogPos(): Gtid[] {
    return this.#state.list();
  }

  stats(): GroupCommitStats {
    return this.#queue.stats();
  }

  /**
   * Resolves when every group taken so far has finished its ordered phase (or failed):
   * an engine checkpoint started afterwards covers all of them.
   */
  waitForTakenGroups(): Promise<void> {
    return this.#queue.waitForTakenGroups();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue.whenIdle();
  }

  /** In queue order: GTIDs, and a commit id shared by the group when it has two or more. */
  #assignGtids(group: readonly Pending<E>[]): void {
    const logged: Gtid[] = [];
    for (const pending of group) {
      const { request } = pending;
      let gtid: Gtid;
      if (request.gtid !== undefined) {
        gtid = request.gtid;
        this.#state.record(gtid);
      } else {
        gtid = this.#state.next(request.domainId ?? this.#domainId, this.#serverId);
      }
      logged.push(gtid);
    }
    const commitId = group.length > 1 ? logged[0]!.seqNo : undefined;
    group.forEach((pending, i) => {
      pending.logged = { gtid: logged[i]!, commitId, flags: pending.request.flags ?? { transactional: true }, xid: pending.request.xid, events: pending.request.events };
    });
  }
}

/** A transaction read back from the binlog during recovery. */
export interface RecoveredTransaction<E> extends LoggedTransaction<E> {
  readonly end: CoordinatorPosition;
}

export interface BinlogRecoveryOptions<E> {
  /**
   * Binlog transactions in binlog order, from the last checkpoint (or the start); only
   * complete ones (ending with their XID or COMMIT). Called twice: recovery reads the
   * binlog once for the XIDs, then again to redo and settle in binlog order.
   */
  readonly transactions: () => AsyncIterable<RecoveredTransaction<E>>;
  readonly participants: readonly TcParticipant[];
  /**
   * The newest coordinator position each engine made durable (undefined: nothing). A
   * transaction ending after it is redone through `redo`.
   */
  readonly durablePosition: (participant: TcParticipant) => CoordinatorPosition | undefined;
  /**
   * Applies a logged transaction's events to an engine that lost it, storing
   * `transaction.end` as the commit's coordinator position (see the README's redo contract).
   */
  readonly redo: (participant: TcParticipant, transaction: RecoveredTransaction<E>) => Promise<void>;
}

export interface BinlogRecoveryReport {
  readonly transactionsScanned: number;
  readonly redone: number;
  readonly preparedCommitted: number;
  readonly preparedRolledBack: number;
  /** The GTID state of the transactions scanned (the binlog's own state is the writer's). */
  readonly gtidState: Gtid[];
}

/** Orders two coordinator positions. */
export function comparePositions(a: CoordinatorPosition, b: CoordinatorPosition): number {
  return a.logNumber !== b.logNumber ? a.logNumber - b.logNumber : a.offset - b.offset;
}

/**
 * Recovery, where the binlog decides. First pass: the XIDs in the binlog. Then every
 * transaction still prepared in an engine whose XID is not in the binlog is rolled back
 * (before any redo, so its locks cannot block one). Second pass, in binlog order: a
 * transaction prepared in an engine is committed there (`commitPrepared`); otherwise, if
 * it ends after the engine's durable position, it is redone through `redo`. Returns the
 * GTID state of what was scanned.
 */
export async function recoverFromBinlog<E>(options: BinlogRecoveryOptions<E>): Promise<BinlogRecoveryReport> {
  const state = new GtidState();
  const xidsInLog = new Set<Xid>();
  let scanned = 0;
  for await (const transaction of options.transactions()) {
    scanned += 1;
    state.record(transaction.gtid);
    xidsInLog.add(transaction.xid);
  }
  let preparedRolledBack = 0;
  const prepared = new Map<TcParticipant, Set<Xid>>();
  for (const participant of options.participants) {
    const keep = new Set<Xid>();
    for (const xid of await participant.recoverPrepared()) {
      if (xidsInLog.has(xid)) {
        keep.add(xid);
      } else {
        await participant.rollbackPrepared(xid);
        preparedRolledBack += 1;
      }
    }
    prepared.set(participant, keep);
  }
  let redone = 0;
  let preparedCommitted = 0;
  const durable = new Map(options.participants.map((p) => [p, options.durablePosition(p)] as const));
  for await (const transaction of options.transactions()) {
    for (const participant of options.participants) {
      const waiting = prepared.get(participant)!;
      if (waiting.delete(transaction.xid)) {
        await participant.commitPrepared(transaction.xid);
        preparedCommitted += 1;
        continue;
      }
      const position = durable.get(participant);
      if (position === undefined || comparePositions(transaction.end, position) > 0) {
        await options.redo(participant, transaction);
        redone += 1;
      }
    }
  }
  // A prepared XID the first pass saw but the second did not (the binlog changed under
  // recovery: it must not) is rolled back rather than left holding its locks.
  for (const [participant, left] of prepared) {
    for (const xid of left) {
      await participant.rollbackPrepared(xid);
      preparedRolledBack += 1;
    }
  }
  return { transactionsScanned: scanned, redone, preparedCommitted, preparedRolledBack, gtidState: state.list() };
}
