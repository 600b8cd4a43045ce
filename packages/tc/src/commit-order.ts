import { invariant } from '@lockstep/base';
import { CommitWaitKilledError } from './errors/commit-wait-killed-error.js';
import { PriorCommitFailedError } from './errors/prior-commit-failed-error.js';

/**
 * Commit-order tickets: how a replica makes its transactions commit in the primary's
 * order without serialising their fsyncs.
 *
 * A `CommitOrderChain` (one per replication domain) issues tickets in commit order; each
 * ticket links to its predecessor and successor. The group-commit queue parks a commit
 * whose predecessor has not been queued yet and, when a ticket is queued, queues its
 * parked successors in the same synchronous step, so a ready chain joins one group.
 *
 * States: pending → parked → queued → committed | failed; parked → pending on kill (the
 * applier retries with the same ticket); pending/parked → failed when the applier gives
 * up (`fail`) or a predecessor fails.
 *
 * Invariants: a ticket is queued only when its predecessor is queued, committed or
 * absent; a ticket whose predecessor failed ends failed; each ticket has at most one
 * parked commit.
 */
export type TicketState = 'pending' | 'parked' | 'queued' | 'committed' | 'failed';

/** @internal A parked commit: how the queue resumes or fails it. */
export interface ParkedCommit {
  readonly sinceMs: number;
  /** Queues the commit now (its predecessor was just queued). */
  readonly release: () => void;
  /** Fails the commit with this error without queueing it. */
  readonly reject: (error: unknown) => void;
}

export class CommitOrderTicket {
  readonly chain: CommitOrderChain;
  /** Position in the chain, from 1. */
  readonly seq: number;
  /** Free text for status output (e.g. the GTID). */
  readonly label: string;
  #state: TicketState = 'pending';
  #predecessor: CommitOrderTicket | undefined;
  #successor: CommitOrderTicket | undefined;
  #parked: ParkedCommit | undefined;
  #failure: unknown;

  /** @internal Use `CommitOrderChain.issue`. */
  constructor(chain: CommitOrderChain, seq: number, label: string, predecessor: CommitOrderTicket | undefined) {
    this.chain = chain;
    this.seq = seq;
    this.label = label;
    this.#predecessor = predecessor;
    if (predecessor !== undefined) predecessor.#successor = this;
  }

  get state(): TicketState {
    return this.#state;
  }

  /** The ticket that must commit first, while it has not committed. */
  get predecessor(): CommitOrderTicket | undefined {
    return this.#predecessor;
  }

  /** Why the ticket failed, when it did. */
  get failure(): unknown {
    return this.#failure;
  }

  /** True when a commit with this ticket may be queued right now. */
  get mayQueue(): boolean {
    const p = this.#predecessor;
    return p === undefined || p.#state === 'queued' || p.#state === 'committed';
  }

  /**
   * Kills a parked commit: it rejects with `CommitWaitKilledError` and the ticket returns
   * to `pending` so the transaction can be retried. Returns false (and does nothing) when
   * the commit is not parked — already queued means its wake-up already ran.
   */
  kill(reason = 'killed'): boolean {
    const parked = this.#parked;
    if (this.#state !== 'parked' || parked === undefined) return false;
    this.#parked = undefined;
    this.#state = 'pending';
    parked.reject(new CommitWaitKilledError(`${this.label}: ${reason}`));
    return true;
  }

  /**
   * The applier gives up on this transaction (it will never commit): the ticket fails and
   * every successor fails with `PriorCommitFailedError`. No effect once queued or done.
   */
  fail(error: unknown): void {
    if (this.#state === 'queued' || this.#state === 'committed' || this.#state === 'failed') return;
    this.markFailed(error);
  }

  /** @internal Parks a commit until the predecessor is queued. */
  park(parked: ParkedCommit): void {
    invariant(this.#state === 'pending', () => `ticket ${this.label} parked in state ${this.#state}`);
    invariant(!this.mayQueue, () => `ticket ${this.label} parked although it may queue`);
    this.#state = 'parked';
    this.#parked = parked;
  }

  /** @internal Removes a parked commit that gave up waiting (timeout); back to pending. */
  unpark(): ParkedCommit | undefined {
    const parked = this.#parked;
    if (this.#state === 'parked') this.#state = 'pending';
    this.#parked = undefined;
    return parked;
  }

  /**
   * @internal Marks the ticket queued and returns the parked successor chain that may now
   * be queued, in order. The caller queues them in this same synchronous step.
   */
  markQueued(): ParkedCommit[] {
    invariant(this.#state === 'pending' || this.#state === 'parked', () => `ticket ${this.label} queued in state ${this.#state}`);
    invariant(this.mayQueue, () => `ticket ${this.label} queued before its predecessor`);
    this.#state = 'queued';
    this.#parked = undefined;
    const successor = this.#successor;
    if (successor !== undefined && successor.#state === 'parked' && successor.#parked !== undefined) return [successor.#parked];
    return [];
  }

  /** @internal The commit is durable and visible. */
  markCommitted(): void {
    invariant(this.#state === 'queued', () => `ticket ${this.label} committed in state ${this.#state}`);
    this.#state = 'committed';
    // Nothing needs the predecessor any more; let finished tickets be collected.
    this.#predecessor = undefined;
    if (this.#successor !== undefined) this.#successor.#predecessor = undefined;
    this.chain.noteFinished(this, true);
  }

  /** @internal Fails this ticket and, through the chain, every successor not yet committed. */
  markFailed(error: unknown): void {
    CommitOrderTicket.#failFrom(this, error);
  }

  // Iterative, so a long chain cannot overflow the stack.
  static #failFrom(first: CommitOrderTicket, error: unknown): void {
    let ticket: CommitOrderTicket | undefined = first;
    let cause: unknown = error;
    while (ticket !== undefined && ticket.#state !== 'failed' && ticket.#state !== 'committed') {
      const parked = ticket.#parked;
      ticket.#state = 'failed';
      ticket.#failure = cause;
      ticket.#parked = undefined;
      ticket.chain.noteFinished(ticket, false);
      parked?.reject(ticket === first ? cause : new PriorCommitFailedError(`predecessor of ${ticket.label} failed`, cause));
      cause = new PriorCommitFailedError(`${ticket.label} failed`, cause);
      ticket = ticket.#successor;
    }
  }

  /** @internal */
  get parkedSinceMs(): number | undefined {
    return this.#parked?.sinceMs;
  }
}

export interface ParkedTicketStatus {
  readonly label: string;
  readonly seq: number;
  readonly waitingForLabel: string;
  readonly sinceMs: number;
  /** MariaDB's processlist state for this wait. */
  readonly state: 'Waiting for prior transaction to commit';
}

/** Issues tickets in commit order for one stream (a GTID domain). */
export class CommitOrderChain {
  readonly name: string;
  #last: CommitOrderTicket | undefined;
  #issued = 0;
  #committed = 0;
  readonly #open = new Set<CommitOrderTicket>();

  constructor(name: string) {
    this.name = name;
  }

  /** The next ticket; it must commit after every ticket issued before it. */
  issue(label = `${this.name}#${this.#issued + 1}`): CommitOrderTicket {
    const previous = this.#last !== undefined && this.#last.state !== 'committed' ? this.#last : undefined;
    const ticket = new CommitOrderTicket(this, ++this.#issued, label, previous);
    if (previous?.state === 'failed') ticket.markFailed(new PriorCommitFailedError(`${previous.label} failed`, previous.failure));
    this.#last = ticket;
    this.#open.add(ticket);
    return ticket;
  }

  get issued(): number {
    return this.#issued;
  }

  get committed(): number {
    return this.#committed;
  }

  /** Tickets waiting for a prior commit, oldest first. */
  parked(): ParkedTicketStatus[] {
    const out: ParkedTicketStatus[] = [];
    for (const t of this.#open) {
      const since = t.parkedSinceMs;
      if (t.state === 'parked' && since !== undefined) {
        out.push({ label: t.label, seq: t.seq, waitingForLabel: t.predecessor?.label ?? '', sinceMs: since, state: 'Waiting for prior transaction to commit' });
      }
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  /** @internal */
  noteFinished(ticket: CommitOrderTicket, committed: boolean): void {
    if (committed) this.#committed += 1;
    this.#open.delete(ticket);
  }
}
