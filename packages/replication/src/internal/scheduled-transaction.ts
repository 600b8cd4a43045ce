import type { CommitOrderChain, CommitOrderTicket, Gtid } from '@lockstep/tc';
import type { ReplicatedTransaction, WorkerTransaction } from '../types.js';
import { Signal } from './signal.js';

/**
 * The applier's record of one dispatched transaction, and of one attempt at it.
 *
 * Invariants:
 * - `order` grows by one per dispatched transaction of a domain; the ticket was issued in
 *   that order, so ticket order = dispatch order = primary order.
 * - Every dependency (`commitDeps`, `startCommitDeps`) is an earlier transaction of the
 *   same domain (or, in mode `none`, any earlier one): waits only point backwards.
 * - `finished` settles exactly once: true when committed, false when given up.
 * - `current` is the attempt running now; a report about any other attempt is stale.
 */
export type ScheduledState = 'queued' | 'running' | 'committed' | 'failed';

export interface DomainState<E> {
  readonly domainId: number;
  /** Order of first appearance, for spreading domains over workers. */
  readonly index: number;
  readonly chain: CommitOrderChain;
  dispatched: number;
  /** The last dispatched transaction, while it has not committed. */
  last: ScheduledTransaction<E> | undefined;
  /** The first transaction that failed for good (the consistent cut is just before it). */
  failure: { readonly order: number; readonly error: Error } | undefined;
  /** Key → the latest dispatched, uncommitted transaction of this domain that writes it. */
  readonly keyOwners: Map<string, ScheduledTransaction<E>>;
  /** Conservative mode: the commit id and members of the current batch, and of the previous one. */
  batchCommitId: bigint | undefined;
  batch: ScheduledTransaction<E>[];
  previousBatch: ScheduledTransaction<E>[];
  /** Worker ids this domain may use (at most the per-domain cap), and the round-robin cursor. */
  readonly workerIds: number[];
  nextWorker: number;
  position: Gtid | undefined;
}

export class ScheduledTransaction<E> {
  readonly transaction: ReplicatedTransaction<E>;
  readonly domain: DomainState<E>;
  readonly order: number;
  readonly ticket: CommitOrderTicket;
  readonly gtidText: string;
  /** The previous transaction of the domain, until it commits. */
  previous: ScheduledTransaction<E> | undefined;
  next: ScheduledTransaction<E> | undefined;
  /** Must have committed before this one starts (mode rules and barriers). */
  readonly commitDeps: ScheduledTransaction<E>[] = [];
  /** Must have started to commit (and so hold all their locks) before this one starts: they write the same keys. */
  readonly keyDeps: ScheduledTransaction<E>[] = [];
  /** Must have started committing before this one starts (minimal, conservative). */
  readonly startCommitDeps: ScheduledTransaction<E>[] = [];
  /** Write set, or undefined when unknown (speculated). */
  keys: readonly string[] | undefined;
  state: ScheduledState = 'queued';
  current: Attempt<E> | undefined;
  readonly startedCommit = new Signal<undefined>();
  readonly finished = new Signal<boolean>();

  constructor(transaction: ReplicatedTransaction<E>, domain: DomainState<E>, order: number, ticket: CommitOrderTicket, gtidText: string) {
    this.transaction = transaction;
    this.domain = domain;
    this.order = order;
    this.ticket = ticket;
    this.gtidText = gtidText;
  }

  get done(): boolean {
    return this.state === 'committed' || this.state === 'failed';
  }
}

/** One attempt; the object handed to the apply target. */
export class Attempt<E> implements WorkerTransaction<E> {
  readonly id: number;
  readonly scheduled: ScheduledTransaction<E>;
  readonly attempt: number;
  readonly workerId: number;
  #killed = false;

  constructor(id: number, scheduled: ScheduledTransaction<E>, attempt: number, workerId: number) {
    this.id = id;
    this.scheduled = scheduled;
    this.attempt = attempt;
    this.workerId = workerId;
  }

  get transaction(): ReplicatedTransaction<E> {
    return this.scheduled.transaction;
  }

  get killed(): boolean {
    return this.#killed;
  }

  markKilled(): void {
    this.#killed = true;
  }
}
