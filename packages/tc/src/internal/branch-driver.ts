import type { CommitOrderTicket } from '../commit-order.js';
import type { GroupOutcome } from '../group-commit-queue.js';
import type { CommitResult, CoordinatorPosition, TransactionBranch, Xid } from '../participant.js';

/** What `logAndOrder` receives: the transaction's branches, and on a replica its ticket. */
export interface CommitRequest {
  readonly xid: Xid;
  readonly branches: readonly TransactionBranch[];
  readonly ticket?: CommitOrderTicket;
}

/** Hooks for a queue whose payloads are commit requests: prepareOrdered before the flush, commitOrdered after. */
export const branchHooks = {
  beforeFlush(group: readonly CommitRequest[]): void {
    for (const request of group) for (const branch of request.branches) branch.prepareOrdered?.();
  },
  /**
   * `commitOrdered` of every branch. It "cannot fail", but an engine whose own log broke
   * may throw: the commit is already durable in the coordinator's log, so the error is
   * kept as the commit's delayed error (recovery redoes the commit in that engine) and the
   * ordered phase goes on with the next branch and the next commit.
   */
  runOrdered(request: CommitRequest, position: CoordinatorPosition): void {
    for (const branch of request.branches) {
      try {
        branch.commitOrdered(position);
      } catch (error) {
        if (!orderedErrors.has(request)) orderedErrors.set(request, error);
      }
    }
  },
};

/** Errors thrown by `commitOrdered` (after durability), reported as delayed errors. */
const orderedErrors = new WeakMap<CommitRequest, unknown>();

/**
 * The whole commit of one request through a queue: optional prepare of every branch,
 * the group commit, then the unordered `commit` of every branch (errors there are
 * delayed errors), or `rollback` of every branch when anything before durability failed.
 */
export interface CommitSubmitter {
  submit(request: CommitRequest, ticket: CommitOrderTicket | undefined): Promise<GroupOutcome>;
}

export async function commitThroughQueue(queue: CommitSubmitter, request: CommitRequest, twoPhase: boolean): Promise<CommitResult> {
  if (twoPhase) {
    const prepared = await Promise.allSettled(request.branches.map((b) => (b.prepare === undefined ? Promise.resolve() : b.prepare(request.xid))));
    const failure = prepared.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) {
      // The applier may retry with the same ticket; the ticket stays as it was.
      await rollbackAll(request);
      return { status: 'failed', error: failure.reason };
    }
  }
  const outcome = await queue.submit(request, request.ticket);
  if (!outcome.ok) {
    await rollbackAll(request);
    return { status: 'failed', error: outcome.error };
  }
  const finished = await Promise.allSettled(request.branches.map((b) => (b.commit === undefined ? Promise.resolve() : b.commit())));
  const delayed = finished.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const orderedError = orderedErrors.get(request);
  orderedErrors.delete(request);
  if (orderedError !== undefined) return { status: 'committed', position: outcome.position, delayedError: orderedError };
  return delayed === undefined ? { status: 'committed', position: outcome.position } : { status: 'committed', position: outcome.position, delayedError: delayed.reason };
}

async function rollbackAll(request: CommitRequest): Promise<void> {
  // A rollback that fails leaves the branch to the participant's own recovery; the
  // commit's outcome is already decided (failed), so the first error is the one reported.
  await Promise.allSettled(request.branches.map((b) => b.rollback()));
}
