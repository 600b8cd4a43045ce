import type { Clock } from '@lockstep/base';
import { GroupCommitQueue, type GroupCommitStats } from './group-commit-queue.js';
import { branchHooks, commitThroughQueue, type CommitRequest } from './internal/branch-driver.js';
import type { CommitResult, CoordinatorPosition } from './participant.js';

const NO_LOG: CoordinatorPosition = { logNumber: 0, offset: 0 };

/**
 * The trivial coordinator for a transaction that touched one participant: one-phase
 * commit, no log of its own. It still orders `commitOrdered` through the group-commit
 * queue, so commit-order tickets work the same as with a logging coordinator.
 */
export class SingleParticipantCoordinator {
  readonly #queue: GroupCommitQueue<CommitRequest>;

  constructor(options: { readonly clock?: Clock; readonly maxQueuedCommits?: number } = {}) {
    this.#queue = new GroupCommitQueue<CommitRequest>(
      { ...branchHooks, flushGroup: (group) => Promise.resolve(group.map(() => NO_LOG)) },
      options,
    );
  }

  /** REQUIRES at most one branch. Commits it in order; never prepares. */
  logAndOrder(request: CommitRequest): Promise<CommitResult> {
    if (request.branches.length > 1) {
      throw new RangeError(`SingleParticipantCoordinator: ${request.branches.length} branches; use a logging coordinator for two or more`);
    }
    return commitThroughQueue(this.#queue, request, false);
  }

  stats(): GroupCommitStats {
    return this.#queue.stats();
  }
}
